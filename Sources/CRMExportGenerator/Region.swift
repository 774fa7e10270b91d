/// A country the simulated org does business in, with its cities, address and phone formats, and the personal
/// and company names typical there.
///
/// Patterns use `#` for any digit, `*` for a digit from 1 to 9, `@` for an uppercase letter and `%` for the
/// city's area code; every other character is copied.
final class Region: Sendable {
    /// A city with its state or province and telephone area code.
    struct City: Sendable {
        /// The city name.
        let name: [UInt8]

        /// The state, province or prefecture (may be empty).
        let state: [UInt8]

        /// The telephone area code, substituted for `%` in ``Region/phonePattern``.
        let areaCode: [UInt8]

        /// Creates a city from strings.
        init(_ name: String, _ state: String, _ areaCode: String) {
            self.name = Array(name.utf8)
            self.state = Array(state.utf8)
            self.areaCode = Array(areaCode.utf8)
        }
    }

    /// Spellings of the country as users type them; the first is the usual one.
    let countrySpellings: [[UInt8]]

    /// The top-level domain of local companies, e.g. `.de`.
    let domainSuffix: [UInt8]

    /// The cities.
    let cities: [City]

    /// The postal code pattern.
    let postalPattern: [UInt8]

    /// The telephone number pattern.
    let phonePattern: [UInt8]

    /// Street names (combined with ``streetSuffixes`` when that is not empty).
    let streetNames: [[UInt8]]

    /// Street type words appended to a street name, e.g. `Avenue`.
    let streetSuffixes: [[UInt8]]

    /// House number patterns.
    let houseNumberPatterns: [[UInt8]]

    /// Whether the house number precedes the street name.
    let houseNumberFirst: Bool

    /// Second address lines, e.g. `Suite 9##`.
    let secondLines: [[UInt8]]

    /// Personal first names.
    let firstNames: [Word]

    /// Family names.
    let lastNames: [Word]

    /// Distinctive company name parts.
    let companyCores: [Word]

    /// Generic company name parts such as `Logistics`.
    let companyNouns: [Word]

    /// Legal-form suffixes including their leading separator, e.g. `, Inc.` or ` GmbH`.
    let legalSuffixes: [[UInt8]]

    /// The text between a company core and noun: a space, or nothing for CJK names.
    let nameJoiner: [UInt8]

    /// The relative share of records located in this region.
    let weight: Int

    /// Creates a region from strings.
    init(
        country: [String], domainSuffix: String, cities: [City], postalPattern: String, phonePattern: String,
        streetNames: [String], streetSuffixes: [String], houseNumberPatterns: [String], houseNumberFirst: Bool,
        secondLines: [String], firstNames: [Word], lastNames: [Word], companyCores: [Word],
        companyNouns: [Word], legalSuffixes: [String], nameJoiner: String = " ", weight: Int
    ) {
        countrySpellings = Word.texts(country)
        self.domainSuffix = Array(domainSuffix.utf8)
        self.cities = cities
        self.postalPattern = Array(postalPattern.utf8)
        self.phonePattern = Array(phonePattern.utf8)
        self.streetNames = Word.texts(streetNames)
        self.streetSuffixes = Word.texts(streetSuffixes)
        self.houseNumberPatterns = Word.texts(houseNumberPatterns)
        self.houseNumberFirst = houseNumberFirst
        self.secondLines = Word.texts(secondLines)
        self.firstNames = firstNames
        self.lastNames = lastNames
        self.companyCores = companyCores
        self.companyNouns = companyNouns
        self.legalSuffixes = Word.texts(legalSuffixes)
        self.nameJoiner = Array(nameJoiner.utf8)
        self.weight = weight
    }

    /// Picks a region according to the regions' weights.
    static func pick(_ random: inout DeterministicRandom) -> Region {
        var draw = random.below(totalWeight)
        for region in all {
            if draw < region.weight { return region }
            draw -= region.weight
        }
        return all[0]
    }

    /// The sum of all weights.
    private static let totalWeight = all.reduce(0) { $0 + $1.weight }

    // MARK: - Shared name lists

    /// English-speaking first names, with some diversity.
    private static let englishFirstNames = Word.list([
        "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
        "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Christopher", "Karen",
        "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Betty", "Mark", "Sandra", "Priya", "Wei", "Aisha",
        "Carlos", "María|maria", "José|jose", "Zoë|zoe", "Renée|renee", "Siobhán|siobhan", "DeShawn|deshawn",
        "Mohammed", "Fatima", "Hiroshi", "Mei", "Olivia", "Ethan", "Ava", "Noah", "Emma", "Liam", "Sophia",
    ])

    /// English-speaking family names, with apostrophes and accents.
    private static let englishLastNames = Word.list([
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
        "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
        "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
        "O'Brien|obrien", "O'Connor|oconnor", "Nguyen", "Patel", "Kim", "Van der Berg|vanderberg", "McAllister",
        "Núñez|nunez", "D'Angelo|dangelo", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Chen",
    ])

    /// British and Irish first names.
    private static let britishFirstNames = Word.list([
        "Oliver", "Amelia", "Harry", "Isla", "George", "Ava", "Noah", "Emily", "Jack", "Sophie", "Charlie",
        "Grace", "Alfie", "Niamh", "Siân|sian", "Eóin|eoin", "Freya", "Archie", "Poppy", "Rhys", "Imogen",
    ])

    /// British and Irish family names.
    private static let britishLastNames = Word.list([
        "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
        "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Ó Súilleabháin|osullivan",
        "ap Rhys|aprhys", "Fitzgerald", "MacLeod|macleod", "Hughes", "Patel", "Khan",
    ])

    /// English company name parts.
    private static let englishCompanyCores = Word.list([
        "Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Cyberdyne", "Soylent", "Vandelay", "Hooli",
        "Pied Piper|piedpiper", "Wonka", "Tyrell", "Massive Dynamic|massivedynamic", "Northwind", "Contoso",
        "Fabrikam", "Tailspin", "Blue Harbor|blueharbor", "Red Rock|redrock", "Silver Creek|silvercreek",
        "Summit", "Pinnacle", "Evergreen", "Lakeshore", "Ironwood", "Bright Path|brightpath", "Granite",
        "Keystone", "Meridian", "Atlas", "Orion", "Polaris", "Sequoia", "Cascade", "Harbor & Main|harborandmain",
        "Baker & Sons|bakerandsons", "Johnson, Lee & Partners|johnsonlee", "\"Big Sky\"|bigsky", "Redwood",
        "Copperline", "Falcon Ridge|falconridge", "Oakmont", "Tidewater", "Crescent", "Beacon", "Frontier",
    ])

    /// English generic company nouns.
    private static let englishCompanyNouns = Word.list([
        "Systems", "Logistics", "Holdings", "Industries", "Technologies", "Foods", "Health", "Energy",
        "Consulting", "Manufacturing", "Labs", "Analytics", "Solutions", "Partners", "Group", "Media", "Robotics",
        "Pharmaceuticals", "Outfitters", "Textiles", "Capital", "Networks", "Software", "Marine", "Aerospace",
        "Bank", "Insurance", "Construction", "Hospitality", "Retail",
    ])

    /// English-speaking street names.
    private static let englishStreets = [
        "Main", "Oak", "Pine", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park", "Market",
        "Mission", "Broadway", "Sunset", "Highland", "Lincoln", "Madison", "Jefferson", "Church", "Mill",
        "River", "Spring", "Ridge", "Harbor", "Bay", "College", "Franklin", "Walnut", "1st", "2nd", "5th",
    ]

    // MARK: - Regions

    /// All regions.
    static let all: [Region] = [
        Region(
            country: ["United States", "USA", "US", "United States of America"], domainSuffix: ".com",
            cities: [
                City("San Francisco", "CA", "415"), City("New York", "NY", "212"), City("Chicago", "IL", "312"),
                City("Austin", "TX", "512"), City("Seattle", "WA", "206"), City("Boston", "MA", "617"),
                City("Denver", "CO", "303"), City("Atlanta", "GA", "404"), City("Miami", "FL", "305"),
                City("Portland", "OR", "503"), City("Minneapolis", "MN", "612"), City("Phoenix", "AZ", "602"),
                City("Nashville", "TN", "615"), City("San Diego", "CA", "619"), City("Raleigh", "NC", "919"),
                City("Columbus", "OH", "614"), City("Salt Lake City", "UT", "801"), City("Pittsburgh", "PA", "412"),
            ],
            postalPattern: "*####", phonePattern: "(%) 555-####",
            streetNames: englishStreets,
            streetSuffixes: ["Street", "Avenue", "Boulevard", "Road", "Drive", "Lane", "Way", "Parkway", "St.", "Ave"],
            houseNumberPatterns: ["*", "*#", "*##", "*###", "*####"], houseNumberFirst: true,
            secondLines: ["Suite *##", "Floor *#", "Building *", "Unit *#", "PO Box *###", "Attn: Accounts Payable"],
            firstNames: englishFirstNames, lastNames: englishLastNames, companyCores: englishCompanyCores,
            companyNouns: englishCompanyNouns, legalSuffixes: [", Inc.", " Inc.", " LLC", " Corp.", " Co.", ""],
            weight: 40
        ),
        Region(
            country: ["Canada", "CA"], domainSuffix: ".ca",
            cities: [
                City("Toronto", "ON", "416"), City("Montréal", "QC", "514"), City("Vancouver", "BC", "604"),
                City("Calgary", "AB", "403"), City("Ottawa", "ON", "613"), City("Québec", "QC", "418"),
            ],
            postalPattern: "@#@ #@#", phonePattern: "(%) 555-####",
            streetNames: ["King", "Queen", "Yonge", "Bloor", "Sainte-Catherine", "Saint-Laurent", "Granville"],
            streetSuffixes: ["Street", "Avenue", "Road", "Boulevard"],
            houseNumberPatterns: ["*##", "*###"], houseNumberFirst: true,
            secondLines: ["Suite *##", "Unit *#", "Bureau *##"],
            firstNames: englishFirstNames, lastNames: englishLastNames, companyCores: englishCompanyCores,
            companyNouns: englishCompanyNouns, legalSuffixes: [" Ltd.", " Inc.", " Corp.", " Ltée"],
            weight: 6
        ),
        Region(
            country: ["United Kingdom", "UK", "GB", "England"], domainSuffix: ".co.uk",
            cities: [
                City("London", "", "20"), City("Manchester", "Greater Manchester", "161"),
                City("Edinburgh", "Scotland", "131"), City("Bristol", "", "117"),
                City("Leeds", "West Yorkshire", "113"),
                City("Cardiff", "Wales", "29"), City("Belfast", "Northern Ireland", "28"),
            ],
            postalPattern: "@@# #@@", phonePattern: "+44 % #### ####",
            streetNames: ["High", "Station", "Victoria", "Church", "Park", "London", "Mill", "Kings", "Queens"],
            streetSuffixes: ["Street", "Road", "Lane", "Close", "Gardens", "Terrace"],
            houseNumberPatterns: ["*", "*#", "*##"], houseNumberFirst: true,
            secondLines: ["Flat *", "Unit *#", "Floor *", "The Old Mill", "Business Park"],
            firstNames: britishFirstNames, lastNames: britishLastNames, companyCores: englishCompanyCores,
            companyNouns: englishCompanyNouns, legalSuffixes: [" Ltd", " Ltd.", " plc", " LLP", ""],
            weight: 9
        ),
        Region(
            country: ["Australia", "AU"], domainSuffix: ".com.au",
            cities: [
                City("Sydney", "NSW", "2"), City("Melbourne", "VIC", "3"), City("Brisbane", "QLD", "7"),
                City("Perth", "WA", "8"), City("Adelaide", "SA", "8"),
            ],
            postalPattern: "*###", phonePattern: "+61 % #### ####",
            streetNames: ["George", "Collins", "Queen", "Elizabeth", "Hay", "Flinders", "Bourke", "King William"],
            streetSuffixes: ["Street", "Road", "Parade", "Terrace"],
            houseNumberPatterns: ["*", "*#", "*##"], houseNumberFirst: true,
            secondLines: ["Level *#", "Suite *##", "Unit *"],
            firstNames: britishFirstNames, lastNames: englishLastNames, companyCores: englishCompanyCores,
            companyNouns: englishCompanyNouns, legalSuffixes: [" Pty Ltd", " Pty. Ltd.", " Limited"],
            weight: 5
        ),
        Region(
            country: ["Germany", "Deutschland", "DE"], domainSuffix: ".de",
            cities: [
                City("Berlin", "Berlin", "30"), City("München", "Bayern", "89"), City("Hamburg", "Hamburg", "40"),
                City("Köln", "Nordrhein-Westfalen", "221"), City("Frankfurt am Main", "Hessen", "69"),
                City("Stuttgart", "Baden-Württemberg", "711"), City("Düsseldorf", "Nordrhein-Westfalen", "211"),
            ],
            postalPattern: "*####", phonePattern: "+49 % #######",
            streetNames: ["Hauptstraße", "Bahnhofstraße", "Goethestraße", "Schillerstraße", "Lindenallee",
                          "Am Marktplatz", "Königsallee", "Friedrichstraße", "Mühlenweg", "Gartenstraße"],
            streetSuffixes: [],
            houseNumberPatterns: ["*", "*#", "*#a", "*-*"], houseNumberFirst: false,
            secondLines: ["2. OG", "Gebäude *", "Hinterhaus", "c/o Zentrale Buchhaltung"],
            firstNames: Word.list([
                "Lukas", "Leon", "Finn", "Jonas", "Paul", "Felix", "Emma", "Mia", "Hannah", "Sophia", "Lena",
                "Jürgen|juergen", "Björn|bjoern", "Käthe|kaethe", "Günther|guenther", "Matthias", "Anja", "Uwe",
            ]),
            lastNames: Word.list([
                "Müller|mueller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
                "Schulz", "Hoffmann", "Schäfer|schaefer", "Koch", "Bauer", "Richter", "Klein", "Wolf",
                "Schröder|schroeder", "Neumann", "Weiß|weiss", "Groß|gross", "von Bülow|vonbuelow",
            ]),
            companyCores: Word.list([
                "Müller|mueller", "Schwarzwald", "Nordlicht", "Rheintal", "Bergmann", "Alpen", "Sonnenschein",
                "Hanse", "Elbufer", "Kästner|kaestner", "Isar", "Zugspitz",
            ]),
            companyNouns: Word.list([
                "Maschinenbau", "Logistik", "Werke", "Elektronik", "Handel", "Systeme", "Technik", "Bau",
                "Versicherung", "Software",
            ]),
            legalSuffixes: [" GmbH", " AG", " GmbH & Co. KG", " KG", " SE"], weight: 9
        ),
        Region(
            country: ["France", "FR"], domainSuffix: ".fr",
            cities: [
                City("Paris", "Île-de-France", "1"), City("Lyon", "Auvergne-Rhône-Alpes", "4"),
                City("Marseille", "Provence-Alpes-Côte d'Azur", "4"), City("Toulouse", "Occitanie", "5"),
                City("Bordeaux", "Nouvelle-Aquitaine", "5"), City("Lille", "Hauts-de-France", "3"),
            ],
            postalPattern: "*####", phonePattern: "+33 % ## ## ## ##",
            streetNames: ["rue de la Paix", "avenue des Champs-Élysées", "boulevard Haussmann", "rue du Faubourg",
                          "place Bellecour", "rue Sainte-Catherine", "quai des Chartrons", "allée des Tilleuls"],
            streetSuffixes: [],
            houseNumberPatterns: ["*", "*#", "* bis", "*#"], houseNumberFirst: true,
            secondLines: ["Bâtiment B", "*e étage", "Cedex *", "BP *##"],
            firstNames: Word.list([
                "Chloé|chloe", "Léa|lea", "Manon", "Camille", "Inès|ines", "Lucas", "Hugo", "Louis", "Gabriel",
                "Arthur", "Jérôme|jerome", "François|francois", "Hélène|helene", "Amélie|amelie", "Noël|noel",
            ]),
            lastNames: Word.list([
                "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
                "Simon", "Laurent", "Lefèvre|lefevre", "Bézier|bezier", "Fontaine", "Chevalier", "Garçon|garcon",
            ]),
            companyCores: Word.list([
                "Lumière|lumiere", "Bel Air|belair", "Côte d'Azur|cotedazur", "Étoile|etoile", "Rivière|riviere",
                "Château|chateau", "Mont Blanc|montblanc", "Loire", "Provence",
            ]),
            companyNouns: Word.list([
                "Industries", "Conseil", "Technologies", "Distribution", "Électronique|electronique", "Services",
                "Assurances",
            ]),
            legalSuffixes: [" SA", " SAS", " SARL", ""], weight: 6
        ),
        Region(
            country: ["Spain", "España", "ES"], domainSuffix: ".es",
            cities: [
                City("Madrid", "Comunidad de Madrid", "91"), City("Barcelona", "Cataluña", "93"),
                City("Valencia", "Comunitat Valenciana", "96"), City("Sevilla", "Andalucía", "95"),
                City("Málaga", "Andalucía", "95"), City("Bilbao", "País Vasco", "94"),
            ],
            postalPattern: "#####", phonePattern: "+34 % ### ###",
            streetNames: ["Calle Mayor", "Gran Vía", "Paseo de la Castellana", "Calle de Alcalá",
                          "Avinguda Diagonal", "Calle Larios"],
            streetSuffixes: [],
            houseNumberPatterns: ["*", "*#", "*##"], houseNumberFirst: false,
            secondLines: ["2º izquierda", "Planta *", "Local *", "Oficina *#"],
            firstNames: iberianFirstNames, lastNames: iberianLastNames,
            companyCores: Word.list(["Iberia", "Sol y Mar|solymar", "Castilla", "Mediterráneo|mediterraneo",
                                     "Andaluza", "Cantábrico|cantabrico"]),
            companyNouns: Word.list([
                "Logística|logistica", "Tecnología|tecnologia", "Servicios", "Alimentación|alimentacion",
                "Energía|energia",
            ]),
            legalSuffixes: [", S.A.", " S.L.", " SL", ""], weight: 4
        ),
        Region(
            country: ["Brazil", "Brasil", "BR"], domainSuffix: ".com.br",
            cities: [
                City("São Paulo", "SP", "11"), City("Rio de Janeiro", "RJ", "21"), City("Belo Horizonte", "MG", "31"),
                City("Curitiba", "PR", "41"), City("Porto Alegre", "RS", "51"), City("Brasília", "DF", "61"),
            ],
            postalPattern: "#####-###", phonePattern: "+55 % 9####-####",
            streetNames: ["Avenida Paulista", "Rua Augusta", "Rua Oscar Freire", "Avenida Atlântica",
                          "Rua XV de Novembro", "Avenida Brasil"],
            streetSuffixes: [],
            houseNumberPatterns: ["*", "*#", "*##", "*###"], houseNumberFirst: false,
            secondLines: ["Conjunto *#", "Sala *##", "Andar *"],
            firstNames: iberianFirstNames, lastNames: iberianLastNames,
            companyCores: Word.list(["Paulista", "Carioca", "Amazônia|amazonia", "Cerrado", "Ipê|ipe", "Tupã|tupa"]),
            companyNouns: Word.list(["Comércio|comercio", "Indústria|industria", "Tecnologia", "Logística|logistica",
                                     "Alimentos"]),
            legalSuffixes: [" Ltda.", " S.A.", " Ltda", " ME"], weight: 4
        ),
        Region(
            country: ["Sweden", "Sverige", "SE"], domainSuffix: ".se",
            cities: [
                City("Stockholm", "Stockholms län", "8"), City("Göteborg", "Västra Götalands län", "31"),
                City("Malmö", "Skåne län", "40"), City("Uppsala", "Uppsala län", "18"),
            ],
            postalPattern: "*## ##", phonePattern: "+46 % ### ## ##",
            streetNames: ["Drottninggatan", "Kungsgatan", "Storgatan", "Sveavägen", "Götgatan", "Östra Hamngatan"],
            streetSuffixes: [],
            houseNumberPatterns: ["*", "*#", "*#B"], houseNumberFirst: false,
            secondLines: ["Våning *", "Box *###", "c/o Ekonomiavdelningen"],
            firstNames: Word.list([
                "Åsa|asa", "Björn|bjorn", "Linnéa|linnea", "Erik", "Lars", "Anna", "Karin", "Sören|soren", "Maja",
                "Oskar", "Ingrid", "Astrid",
            ]),
            lastNames: Word.list([
                "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
                "Svensson", "Gustafsson", "Lindström|lindstrom", "Åberg|aberg", "Öberg|oberg", "Sjöberg|sjoberg",
            ]),
            companyCores: Word.list(["Norrsken", "Fjäll|fjall", "Skärgård|skargard", "Vasa", "Mälar|malar",
                                     "Björk|bjork"]),
            companyNouns: Word.list(["Teknik", "Bygg", "Data", "Logistik", "Konsult"]),
            legalSuffixes: [" AB", " AB (publ)", " HB"], weight: 3
        ),
        Region(
            country: ["Japan", "日本", "JP"], domainSuffix: ".co.jp",
            cities: [
                City("東京", "東京都", "3"), City("大阪", "大阪府", "6"), City("横浜", "神奈川県", "45"),
                City("名古屋", "愛知県", "52"), City("福岡", "福岡県", "92"), City("札幌", "北海道", "11"),
                City("京都", "京都府", "75"),
            ],
            postalPattern: "###-####", phonePattern: "+81 %-####-####",
            streetNames: ["千代田区丸の内", "港区六本木", "中央区銀座", "北区梅田", "中区栄", "博多区博多駅前",
                          "渋谷区道玄坂"],
            streetSuffixes: [],
            houseNumberPatterns: ["*-*-*", "*-*#-*", "*丁目*-*#"], houseNumberFirst: false,
            secondLines: ["*F", "第*ビル *#階", "サクラタワー *#F"],
            firstNames: Word.list([
                "健|ken", "翔太|shota", "陽菜|hina", "結衣|yui", "大輔|daisuke", "美咲|misaki", "Haruto|haruto",
                "Yuki", "蓮|ren", "さくら|sakura", "拓也|takuya", "愛子|aiko",
            ]),
            lastNames: Word.list([
                "佐藤|sato", "鈴木|suzuki", "高橋|takahashi", "田中|tanaka", "伊藤|ito", "渡辺|watanabe",
                "山本|yamamoto", "中村|nakamura", "小林|kobayashi", "加藤|kato", "Yoshida", "Yamada",
            ]),
            companyCores: Word.list([
                "サクラ|sakura", "富士|fuji", "青葉|aoba", "大和|yamato", "光|hikari", "東邦|toho", "日輪|nichirin",
                "みらい|mirai",
            ]),
            companyNouns: Word.list([
                "電機|denki", "精工|seiko", "商事|shoji", "物流|butsuryu", "製薬|seiyaku", "システム|system",
                "工業|kogyo",
            ]),
            legalSuffixes: ["株式会社", "", " Co., Ltd."], nameJoiner: "", weight: 6
        ),
        Region(
            country: ["China", "中国", "CN"], domainSuffix: ".cn",
            cities: [
                City("上海", "上海市", "21"), City("北京", "北京市", "10"), City("深圳", "广东省", "755"),
                City("杭州", "浙江省", "571"), City("成都", "四川省", "28"),
            ],
            postalPattern: "*#####", phonePattern: "+86 % #### ####",
            streetNames: ["南京西路", "长安街", "深南大道", "文三路", "人民南路", "淮海中路"],
            streetSuffixes: [],
            houseNumberPatterns: ["*号", "*#号", "*##号"], houseNumberFirst: false,
            secondLines: ["*#楼", "A座 *#层", "*##室"],
            firstNames: Word.list([
                "伟|wei", "芳|fang", "娜|na", "秀英|xiuying", "敏|min", "静|jing", "丽|li", "强|qiang", "磊|lei",
                "军|jun", "洋|yang", "Mei",
            ]),
            lastNames: Word.list([
                "王|wang", "李|li", "张|zhang", "刘|liu", "陈|chen", "杨|yang", "黄|huang", "赵|zhao", "吴|wu",
                "周|zhou",
            ]),
            companyCores: Word.list(["东方|dongfang", "华夏|huaxia", "长江|changjiang", "金龙|jinlong",
                                     "天宇|tianyu", "宏达|hongda"]),
            companyNouns: Word.list(["科技|keji", "电子|dianzi", "贸易|maoyi", "物流|wuliu", "实业|shiye"]),
            legalSuffixes: ["有限公司", "股份有限公司", " Co., Ltd."], nameJoiner: "", weight: 3
        ),
    ]

    /// Spanish and Portuguese first names.
    private static let iberianFirstNames = Word.list([
        "José|jose", "María|maria", "João|joao", "Sebastián|sebastian", "Lucía|lucia", "Martín|martin",
        "Sofía|sofia", "Mateo", "Valentina", "Diego", "Camila", "Gonçalo|goncalo", "Inês|ines", "Ana", "Pedro",
    ])

    /// Spanish and Portuguese family names.
    private static let iberianLastNames = Word.list([
        "García|garcia", "Fernández|fernandez", "González|gonzalez", "Rodríguez|rodriguez", "López|lopez",
        "Martínez|martinez", "Sánchez|sanchez", "Pérez|perez", "Silva", "Santos", "Oliveira", "Souza",
        "Conceição|conceicao", "Araújo|araujo", "Gómez|gomez", "de la Cruz|delacruz",
    ])
}
