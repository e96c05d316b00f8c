import Testing

@testable import KringCore

@Suite("Snowball stemmers")
struct StemmerTests {
    /// English (Porter2) words and stems, from the Snowball sample vocabulary and the algorithm's
    /// own examples, chosen to pass through every step. Each expected stem was checked against the
    /// reference implementation (Python `snowballstemmer` 3.1.1, algorithm `english`).
    static let english: [(String, String)] = [
        ("generously", "generous"), ("caresses", "caress"), ("ponies", "poni"), ("ties", "tie"), ("cats", "cat"),
        ("gas", "gas"), ("this", "this"), ("gaps", "gap"), ("kiwis", "kiwi"), ("skies", "sky"), ("skis", "ski"),
        ("sky", "sky"), ("dying", "die"), ("lying", "lie"), ("tying", "tie"), ("news", "news"), ("idly", "idl"),
        ("gently", "gentl"), ("ugly", "ugli"), ("early", "earli"), ("only", "onli"), ("singly", "singl"),
        ("atlas", "atlas"), ("cosmos", "cosmos"), ("bias", "bias"), ("andes", "andes"), ("howe", "howe"),
        ("consign", "consign"), ("consigned", "consign"), ("consigning", "consign"), ("consignment", "consign"),
        ("consist", "consist"), ("consisted", "consist"), ("consistency", "consist"), ("consistent", "consist"),
        ("consistently", "consist"), ("consisting", "consist"), ("consists", "consist"), ("consolation", "consol"),
        ("consolations", "consol"), ("consolatory", "consolatori"), ("console", "consol"), ("consoled", "consol"),
        ("consoles", "consol"), ("consolidate", "consolid"), ("consolidated", "consolid"),
        ("consolidating", "consolid"), ("consoling", "consol"), ("consolingly", "consol"), ("consols", "consol"),
        ("consonant", "conson"), ("consort", "consort"), ("consorted", "consort"), ("consorting", "consort"),
        ("conspicuous", "conspicu"), ("conspicuously", "conspicu"), ("conspiracy", "conspiraci"),
        ("conspirator", "conspir"), ("conspirators", "conspir"), ("conspire", "conspir"), ("conspired", "conspir"),
        ("conspiring", "conspir"), ("constable", "constabl"), ("constables", "constabl"), ("constance", "constanc"),
        ("constancy", "constanc"), ("constant", "constant"), ("knack", "knack"), ("knackeries", "knackeri"),
        ("knacks", "knack"), ("knag", "knag"), ("knave", "knave"), ("knaves", "knave"), ("knavish", "knavish"),
        ("kneaded", "knead"), ("kneading", "knead"), ("knee", "knee"), ("kneel", "kneel"), ("kneeled", "kneel"),
        ("kneeling", "kneel"), ("kneels", "kneel"), ("knees", "knee"), ("knell", "knell"), ("knelt", "knelt"),
        ("knew", "knew"), ("knick", "knick"), ("knif", "knif"), ("knife", "knife"), ("knight", "knight"),
        ("knightly", "knight"), ("knights", "knight"), ("knit", "knit"), ("knits", "knit"), ("knitted", "knit"),
        ("knitting", "knit"), ("knives", "knive"), ("knob", "knob"), ("knobs", "knob"), ("knock", "knock"),
        ("knocked", "knock"), ("knocker", "knocker"), ("knockers", "knocker"), ("knocking", "knock"),
        ("knocks", "knock"), ("knopp", "knopp"), ("knot", "knot"), ("knots", "knot"), ("happiness", "happi"),
        ("agreed", "agre"), ("feed", "feed"), ("succeeded", "succeed"), ("proceed", "proceed"), ("exceed", "exceed"),
        ("luxuriating", "luxuri"), ("hopping", "hop"), ("hoped", "hope"), ("filing", "file"), ("falling", "fall"),
        ("fizzed", "fizz"), ("failing", "fail"), ("added", "add"), ("cry", "cri"), ("by", "by"), ("say", "say"),
        ("happy", "happi"), ("yelling", "yell"), ("sayings", "say"), ("relational", "relat"),
        ("conditional", "condit"), ("rational", "ration"), ("valency", "valenc"), ("hesitancy", "hesit"),
        ("digitizer", "digit"), ("conformably", "conform"), ("radically", "radic"), ("differently", "differ"),
        ("analogously", "analog"), ("vietnamization", "vietnam"), ("predication", "predic"), ("operator", "oper"),
        ("feudalism", "feudal"), ("decisiveness", "decis"), ("hopefulness", "hope"), ("callousness", "callous"),
        ("formality", "formal"), ("sensitivity", "sensit"), ("sensibility", "sensibl"), ("triplicate", "triplic"),
        ("formative", "format"), ("formalize", "formal"), ("electricity", "electr"), ("electrical", "electr"),
        ("hopeful", "hope"), ("goodness", "good"), ("revival", "reviv"), ("allowance", "allow"),
        ("inference", "infer"), ("airliner", "airlin"), ("gyroscopic", "gyroscop"), ("adjustable", "adjust"),
        ("defensible", "defens"), ("irritant", "irrit"), ("replacement", "replac"), ("adjustment", "adjust"),
        ("dependent", "depend"), ("adoption", "adopt"), ("communism", "communism"), ("generate", "generat"),
        ("general", "general"), ("generation", "generat"), ("arsenal", "arsenal"), ("communication", "communic"),
        ("university", "universiti"), ("universe", "univers"), ("organization", "organiz"), ("biologist", "biolog"),
        ("emergency", "emergenc"), ("inning", "inning"), ("outing", "outing"), ("canning", "canning"),
        ("herring", "herring"), ("earring", "earring"), ("evening", "evening"), ("dog's", "dog"),
    ]

    /// Dutch words and stems (classic Snowball Dutch algorithm, `dutch_porter` in Python
    /// `snowballstemmer` 3.1.1), from the Snowball sample vocabulary and words that hit each step:
    /// -heden, -en/-ene and the "gem" exception, -s/-se, -e, -heid, -end/-ing/-ig, -lijk, -baar/-bar,
    /// undoubling, vowel undoubling, accents and the I/Y markers.
    static let dutch: [(String, String)] = [
        ("lichaamsziek", "lichaamsziek"), ("lichamelijk", "licham"), ("lichamelijke", "licham"),
        ("lichamelijkheden", "licham"), ("lichamen", "licham"), ("lichere", "licher"), ("licht", "licht"),
        ("lichtbeelden", "lichtbeeld"), ("lichtbruin", "lichtbruin"), ("lichtdoorlatende", "lichtdoorlat"),
        ("lichte", "licht"), ("lichten", "licht"), ("lichtende", "lichtend"), ("lichtenvoorde", "lichtenvoord"),
        ("lichter", "lichter"), ("lichtere", "lichter"), ("lichters", "lichter"),
        ("lichtgevoeligheid", "lichtgevoel"), ("lichtgewicht", "lichtgewicht"), ("lichtgrijs", "lichtgrijs"),
        ("lichthoeveelheid", "lichthoevel"), ("lichtintensiteit", "lichtintensiteit"), ("lichtje", "lichtj"),
        ("lichtjes", "lichtjes"), ("lichtkranten", "lichtkrant"), ("lichtkring", "lichtkring"),
        ("lichtkringen", "lichtkring"), ("lichtregelsystemen", "lichtregelsystem"), ("lichtste", "lichtst"),
        ("lichtstromende", "lichtstrom"), ("lichtte", "licht"), ("lichtten", "licht"),
        ("lichttoetreding", "lichttoetred"), ("lichtverontreinigde", "lichtverontreinigd"),
        ("lichtzinnige", "lichtzinn"), ("lid", "lid"), ("lidia", "lidia"), ("lidmaatschap", "lidmaatschap"),
        ("lidstaten", "lidstat"), ("lidvereniging", "lidveren"), ("opgaaf", "opgaf"), ("opgaven", "opgav"),
        ("opgegeven", "opgegev"), ("opgehaald", "opgehaald"), ("opgeheven", "opgehev"), ("ophalen", "ophal"),
        ("ophouden", "ophoud"), ("koninklijke", "konink"), ("koninklijk", "konink"), ("gemeente", "gemeent"),
        ("gemeenten", "gemeent"), ("algemene", "algemen"), ("algemeen", "algemen"), ("katten", "kat"),
        ("maan", "man"), ("kaas", "kas"), ("betaalbaar", "betal"), ("eetbaar", "eetbar"), ("zichtbare", "zichtbar"),
        ("vrijheden", "vrijheid"), ("mogelijkheden", "mogelijk"), ("heerlijkheid", "heerlijk"),
        ("vereniging", "veren"), ("verenigingen", "veren"), ("lopende", "lopend"), ("lopen", "lop"),
        ("lastig", "lastig"), ("lastige", "lastig"), ("ooievaar", "ooievar"), ("mooiste", "mooist"),
        ("koeien", "koei"), ("ideeën", "ideeen"), ("ruïne", "ruin"), ("geïnteresseerd", "geinteresseerd"),
        ("reünie", "reunie"), ("kopiëren", "kopier"), ("appels", "appel"), ("bedrijven", "bedrijv"),
        ("leden", "led"), ("coöperaties", "cooperaties"), ("installeerden", "installeerd"),
        ("zonnepanelen", "zonnepanel"), ("yoghurt", "yoghurt"),
    ]

    @Test("English words stem as in the Snowball reference", arguments: english)
    func englishStems(word: String, stem: String) {
        #expect(Stemmer.stem(word, language: .en) == stem)
    }

    @Test("Dutch words stem as in the Snowball reference", arguments: dutch)
    func dutchStems(word: String, stem: String) {
        #expect(Stemmer.stem(word, language: .nl) == stem)
    }

    @Test func tablesAreLargeEnough() {
        #expect(Self.english.count >= 40)
        #expect(Self.dutch.count >= 40)
    }

    @Test func stemLowerCasesAndNormalisesItsInput() {
        #expect(Stemmer.stem("Generously", language: .en) == "generous")
        #expect(Stemmer.stem("LICHAMELIJKE", language: .nl) == "licham")
        // "coöperatie" with a combining diaeresis (NFD) stems like the precomposed form.
        #expect(Stemmer.stem("coo\u{0308}peratie", language: .nl) == "cooperatie")
        #expect(Stemmer.stem("Yelling", language: .en) == "yell")
    }

    @Test func veryShortWordsAreLeftAlone() {
        #expect(Stemmer.stem("as", language: .en) == "as")
        #expect(Stemmer.stem("is", language: .nl) == "is")
        #expect(Stemmer.stem("", language: .en) == "")
        #expect(Stemmer.stem("", language: .nl) == "")
    }

    @Test func dutchTermsOfASentence() {
        #expect(
            Stemmer.terms(in: "De coöperaties installeerden zonnepanelen!", language: .nl)
                == ["de", "cooperaties", "installeerd", "zonnepanel"])
    }

    @Test func englishTermsOfASentence() {
        #expect(
            Stemmer.terms(in: "Knights were knitting, generously.", language: .en)
                == ["knight", "were", "knit", "generous"])
    }

    @Test func termsSplitOnAnythingButLettersAndDigits() {
        let text = "Zoë's café—in 2012: a_b, \"Generously\" knitted x"
        #expect(Stemmer.terms(in: text, language: .en) == ["zoë", "café", "in", "2012", "generous", "knit"])
        #expect(Stemmer.terms(in: text, language: .nl) == ["zoe", "caf", "in", "2012", "generously", "knitted"])
    }

    @Test func termsLineUpAcrossLanguages() {
        let text = "Welkom bij de gemeente! Sharing knowledge, één koöperatie, 3D-printers & naïeve ideeën."
        #expect(Stemmer.terms(in: text, language: .nl).count == Stemmer.terms(in: text, language: .en).count)
        #expect(Stemmer.terms(in: "", language: .nl).isEmpty)
        #expect(Stemmer.terms(in: "a - b ! ?", language: .en).isEmpty)
    }

    @Test func searchTermsHoldBothStemsOfEachWordOnce() {
        #expect(
            Stemmer.searchTerms(in: "Running communities, gemeenten en connections")
                == ["running", "run", "communities", "communiti", "gemeent", "gemeenten", "en", "connection", "connect"])
        #expect(Stemmer.searchTerms(in: "lopen lopen knights") == ["lop", "lopen", "knight"])
        #expect(Stemmer.searchTerms(in: "...").isEmpty)
    }
}
