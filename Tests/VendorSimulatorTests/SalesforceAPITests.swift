import Crypto
import Foundation
import Testing
import VendorSimulator

struct SalesforceAPITests {
    @Test func clientCredentialsIssueATokenWithItsDocumentedFields() async throws {
        try await withVendor({ $0.tokenPrefix = "CANARY-SF-" }) { vendor, client in
            let reply = try await client.postForm(
                "/services/oauth2/token",
                [
                    ("grant_type", "client_credentials"), ("client_id", vendor.clientID),
                    ("client_secret", vendor.clientSecret),
                ])
            #expect(reply.status == 200)
            let token = try #require(try reply.json() as? [String: Any])
            let accessToken = try #require(token["access_token"] as? String)
            #expect(accessToken.hasPrefix("CANARY-SF-"))
            #expect(token["instance_url"] as? String == vendor.baseURL.absoluteString)
            #expect(token["token_type"] as? String == "Bearer")
            let identity = try #require(token["id"] as? String)
            let issuedAt = try #require(token["issued_at"] as? String)
            #expect(identity.contains(vendor.organizationID))
            // The signature is Base64(HMAC-SHA256(client secret, id + issued_at)), as Salesforce documents it.
            let expected = HMAC<SHA256>.authenticationCode(
                for: Data((identity + issuedAt).utf8), using: SymmetricKey(data: Data(vendor.clientSecret.utf8)))
            #expect(token["signature"] as? String == Data(expected).base64EncodedString())
        }
    }

    @Test func wrongCredentialsAreRefusedWithOAuthErrors() async throws {
        try await withVendor { vendor, client in
            let wrongSecret = try await client.postForm(
                "/services/oauth2/token",
                [("grant_type", "client_credentials"), ("client_id", vendor.clientID), ("client_secret", "nope")])
            #expect(wrongSecret.status == 400)
            #expect((try wrongSecret.json() as? [String: Any])?["error"] as? String == "invalid_client")
            #expect(!wrongSecret.text.contains(vendor.clientSecret))
            let wrongClient = try await client.postForm(
                "/services/oauth2/token",
                [
                    ("grant_type", "client_credentials"), ("client_id", "3MVG9unknown"),
                    ("client_secret", vendor.clientSecret),
                ])
            #expect((try wrongClient.json() as? [String: Any])?["error"] as? String == "invalid_client_id")
            let wrongGrant = try await client.postForm(
                "/services/oauth2/token", [("grant_type", "password"), ("client_id", vendor.clientID)])
            #expect((try wrongGrant.json() as? [String: Any])?["error"] as? String == "unsupported_grant_type")
        }
    }

    @Test func aMissingOrUnknownTokenGets401InvalidSessionID() async throws {
        try await withVendor { vendor, client in
            let missing = try await client.send(.GET, "/services/data/v61.0/sobjects")
            let unknown = try await client.get("/services/data/v61.0/sobjects", token: "00Dfake!token")
            for reply in [missing, unknown] {
                #expect(reply.status == 401)
                #expect(reply.salesforceErrorCode == "INVALID_SESSION_ID")
            }
        }
    }

    @Test func sobjectsListsTheGeneratedObjectsQueryableAndOthersNot() async throws {
        try await withVendor { vendor, client in
            let token = try await client.salesforceToken()
            let reply = try await client.get("/services/data/v61.0/sobjects", token: token)
            let list = try #require(try reply.json() as? [String: Any])
            let objects = try #require(list["sobjects"] as? [[String: Any]])
            let queryable = objects.filter { $0["queryable"] as? Bool == true }.compactMap { $0["name"] as? String }
            // ContentDocumentLink is listed as queryable, as real orgs list it, though its Bulk query is refused.
            #expect(queryable == ["Account", "Contact", "Lead", "Opportunity", "Case", "Task", "ContentDocumentLink"])
            #expect(
                objects.contains { $0["name"] as? String == "AggregateResult" && $0["queryable"] as? Bool == false })
            let unsupportedVersion = try await client.get("/services/data/v99.0/sobjects", token: token)
            #expect(unsupportedVersion.status == 404)
        }
    }

    @Test func describeHasTypedFieldsReferencesAndCompoundAddresses() async throws {
        try await withVendor { vendor, client in
            let token = try await client.salesforceToken()
            let reply = try await client.get("/services/data/v61.0/sobjects/Account/describe", token: token)
            let describe = try #require(try reply.json() as? [String: Any])
            let fields = try #require(describe["fields"] as? [[String: Any]])
            func field(_ name: String) -> [String: Any]? { fields.first { $0["name"] as? String == name } }
            #expect(field("BillingAddress")?["type"] as? String == "address")
            #expect(field("BillingCity")?["compoundFieldName"] as? String == "BillingAddress")
            #expect(field("OwnerId")?["referenceTo"] as? [String] == ["User"])
            #expect(field("ParentId")?["relationshipName"] as? String == "Parent")
            #expect(field("AnnualRevenue")?["type"] as? String == "currency")
            #expect(field("Id")?["nillable"] as? Bool == false)
            #expect((field("Industry")?["picklistValues"] as? [Any])?.isEmpty == false)
            let selectable = fields.filter { $0["type"] as? String != "address" }.compactMap { $0["name"] as? String }
            let header = csvHeader(try vendor.export(month: 0)[0].contents)
            #expect(selectable.map { "\"\($0)\"" }.joined(separator: ",") == header)
            let task = try await client.get("/services/data/v61.0/sobjects/Task/describe", token: token)
            let whoID = (try task.json() as? [String: Any]).flatMap { $0["fields"] as? [[String: Any]] }?
                .first { $0["name"] as? String == "WhoId" }
            #expect(whoID?["referenceTo"] as? [String] == ["Contact", "Lead"])
            #expect(whoID?["polymorphicForeignKey"] as? Bool == true)
        }
    }

    @Test func limitsCountTheRequestsServed() async throws {
        try await withVendor({ $0.faults.dailyRequestLimit = 100 }) { vendor, client in
            let token = try await client.salesforceToken()
            _ = try await client.get("/services/data/v61.0/sobjects", token: token)
            let reply = try await client.get("/services/data/v61.0/limits", token: token)
            let limits = try #require(try reply.json() as? [String: [String: Int]])
            #expect(limits["DailyApiRequests"] == ["Max": 100, "Remaining": 98])
        }
    }
}
