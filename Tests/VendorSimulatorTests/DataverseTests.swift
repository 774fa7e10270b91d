import Foundation
import Testing
import VendorSimulator

struct DataverseTests {
    @Test func pagingWithMaxPageSizeReturnsEveryRecordOnce() async throws {
        try await withVendor { vendor, client in
            let token = try await client.dataverseToken()
            var path: String? = "/api/data/v9.2/contacts?$count=true"
            var records: [[String: Any]] = []
            var pages = 0
            var count: Int?
            while let next = path {
                let reply = try await client.get(next, token: token, headers: [("Prefer", "odata.maxpagesize=10")])
                #expect(reply.status == 200)
                #expect(reply.header("Preference-Applied") == "odata.maxpagesize=10")
                let body = try #require(try reply.json() as? [String: Any])
                count = count ?? body["@odata.count"] as? Int
                records += try #require(body["value"] as? [[String: Any]])
                pages += 1
                path = (body["@odata.nextLink"] as? String).map {
                    String($0.dropFirst(vendor.baseURL.absoluteString.count))
                }
            }
            let expected = try vendor.dataverseRecords(entitySet: "contacts", month: 0)
            #expect(pages == (expected.count + 9) / 10)
            #expect(count == expected.count)
            let served = records.map { $0["contactid"] as? String ?? "" }
            #expect(served == expected.map { $0["contactid"] ?? "" })
            #expect(Set(served).count == served.count)
            #expect(records.first?["fullname"] as? String == expected.first?["fullname"])
        }
    }

    @Test func annotationsDescribeLookupsWhenAsked() async throws {
        try await withVendor { vendor, client in
            let token = try await client.dataverseToken()
            let plain = try await client.get(
                "/api/data/v9.2/contacts?$select=fullname,_parentcustomerid_value", token: token)
            let plainRecord = try #require(
                ((try plain.json() as? [String: Any])?["value"] as? [[String: Any]])?.first {
                    $0["_parentcustomerid_value"] is String
                })
            #expect(plainRecord.keys.allSatisfy { !$0.contains("@Microsoft") })
            let annotated = try await client.get(
                "/api/data/v9.2/contacts?$select=fullname,_parentcustomerid_value", token: token,
                headers: [("Prefer", "odata.include-annotations=\"*\"")])
            let record = try #require(
                ((try annotated.json() as? [String: Any])?["value"] as? [[String: Any]])?.first {
                    $0["_parentcustomerid_value"] is String
                })
            #expect(record["_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname"] as? String == "account")
            #expect(
                record["_parentcustomerid_value@Microsoft.Dynamics.CRM.associatednavigationproperty"] as? String
                    == "parentcustomerid_account")
            let accountID = try #require(record["_parentcustomerid_value"] as? String)
            let accounts = try vendor.dataverseRecords(entitySet: "accounts", month: 0)
            let account = try #require(accounts.first { $0["accountid"] == accountID })
            #expect(
                record["_parentcustomerid_value@OData.Community.Display.V1.FormattedValue"] as? String
                    == account["name"])
            #expect(record["contactid"] is String)
            #expect((record["@odata.etag"] as? String)?.hasPrefix("W/\"") == true)
        }
    }

    @Test func entityMetadataNamesTypesAndLookupTargets() async throws {
        try await withVendor { _, client in
            let token = try await client.dataverseToken()
            let reply = try await client.get(
                "/api/data/v9.2/EntityDefinitions(LogicalName='contact')"
                    + "?$select=LogicalName,EntitySetName,PrimaryIdAttribute"
                    + "&$expand=Attributes($select=LogicalName,AttributeType)", token: token)
            #expect(reply.status == 200)
            let entity = try #require(try reply.json() as? [String: Any])
            #expect(entity["EntitySetName"] as? String == "contacts")
            #expect(entity["PrimaryIdAttribute"] as? String == "contactid")
            let attributes = try #require(entity["Attributes"] as? [[String: Any]])
            let parent = try #require(attributes.first { $0["LogicalName"] as? String == "parentcustomerid" })
            #expect(parent["AttributeType"] as? String == "Customer")
            #expect(parent["MaxLength"] == nil && parent["Targets"] == nil, "the nested $select is honoured")
            let full = try await client.get(
                "/api/data/v9.2/EntityDefinitions(LogicalName='contact')/Attributes", token: token)
            let fullAttributes = try #require((try full.json() as? [String: Any])?["value"] as? [[String: Any]])
            let lookup = try #require(fullAttributes.first { $0["LogicalName"] as? String == "parentcustomerid" })
            #expect(lookup["Targets"] as? [String] == ["account", "contact"])
            #expect(lookup["@odata.type"] as? String == "#Microsoft.Dynamics.CRM.LookupAttributeMetadata")
            #expect(
                attributes.first { $0["LogicalName"] as? String == "birthdate" }?["AttributeType"] as? String
                    == "DateTime")
            let filtered = try await client.get(
                "/api/data/v9.2/EntityDefinitions?$filter=EntitySetName%20eq%20%27accounts%27&$expand=Attributes",
                token: token)
            let found = try #require((try filtered.json() as? [String: Any])?["value"] as? [[String: Any]])
            #expect(found.count == 1)
            #expect(found.first?["LogicalName"] as? String == "account")
            #expect((found.first?["Attributes"] as? [[String: Any]])?.isEmpty == false)
            let unknown = try await client.get("/api/data/v9.2/EntityDefinitions(LogicalName='widget')", token: token)
            #expect(unknown.status == 404)
        }
    }

    @Test func theTokenEndpointChecksTenantClientSecretAndScope() async throws {
        try await withVendor({ $0.tokenPrefix = "CANARY-DV-" }) { vendor, client in
            #expect(try await client.dataverseToken().hasPrefix("CANARY-DV-"))
            let base = [("grant_type", "client_credentials"), ("client_id", vendor.dataverseClientID)]
            let wrongSecret = try await client.postForm(
                "/\(vendor.tenantID)/oauth2/v2.0/token",
                base + [("client_secret", "x"), ("scope", vendor.dataverseScope)])
            #expect(wrongSecret.status == 401)
            #expect((try wrongSecret.json() as? [String: Any])?["error"] as? String == "invalid_client")
            let wrongScope = try await client.postForm(
                "/\(vendor.tenantID)/oauth2/v2.0/token",
                base + [("client_secret", vendor.clientSecret), ("scope", "https://elsewhere/.default")])
            #expect((try wrongScope.json() as? [String: Any])?["error"] as? String == "invalid_scope")
            let salesforceToken = try await client.salesforceToken()
            let crossed = try await client.get("/api/data/v9.2/accounts", token: salesforceToken)
            #expect(crossed.status == 401)
        }
    }
}
