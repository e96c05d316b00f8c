import Foundation

/// Word stemming for full-text search: the Snowball stemmers for English (Porter2) and Dutch.
///
/// Kring pre-stems words before they go into the SQLite FTS5 index and stems query words the same
/// way, so that "gemeenten" finds "gemeente" and "connections" finds "connected" (both stem to
/// "gemeent" and "connect").
///
/// Both algorithms follow the official Snowball definitions (https://snowballstem.org) exactly and
/// agree word for word with the reference implementation (the `snowballstemmer` Python package,
/// 3.1.1: `english`, and `dutch_porter`, which is the classic Dutch Snowball stemmer that was
/// called `dutch` before Snowball 3.0). The code works on arrays of Unicode scalars, the unit the
/// Snowball algorithms count in, and is written as the published step-by-step descriptions rather
/// than as a translation of generated code.
///
/// Everything here is a pure function of its input: there is no shared state.
public enum Stemmer {
    /// The stem of one word in `language`.
    ///
    /// The word is lower-cased and put in Unicode normal form C first (the Snowball algorithms
    /// expect lower-case input, and use upper-case `Y` and `I` as internal markers).
    public static func stem(_ word: String, language: Language) -> String {
        let letters = Array(word.lowercased().precomposedStringWithCanonicalMapping.unicodeScalars)
        return stem(letters: letters, language: language)
    }

    /// The stems of the words in `text`, in order, one per word (duplicates kept: this is what goes
    /// into an index).
    ///
    /// The text is lower-cased and split on every character that is not a letter or a digit, in the
    /// Unicode sense, so "coöperatie", "café" and "zoë" are single words; words shorter than two
    /// characters are dropped. The words found do not depend on `language`, so the Dutch and the
    /// English terms of the same text line up one to one.
    public static func terms(in text: String, language: Language) -> [String] {
        words(in: text).map { stem(letters: $0, language: language) }
    }

    /// For a text whose language is unknown (a search query, or a post that may be in either
    /// language): for each word, its Dutch stem and its English stem. The result has no duplicates
    /// and keeps the order in which stems first appear, Dutch before English for each word.
    public static func searchTerms(in text: String) -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        for word in words(in: text) {
            for language in [Language.nl, .en] {
                let stem = stem(letters: word, language: language)
                if seen.insert(stem).inserted { result.append(stem) }
            }
        }
        return result
    }

    // MARK: - Shared plumbing

    /// The words of `text` as lower-case NFC Unicode scalars, at least two characters long.
    static func words(in text: String) -> [[Unicode.Scalar]] {
        let normalized = text.lowercased().precomposedStringWithCanonicalMapping
        var words: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        var characters = 0
        func finish() {
            if characters >= 2 { words.append(current) }
            current.removeAll(keepingCapacity: true)
            characters = 0
        }
        for character in normalized {
            if character.isLetter || character.isNumber {
                current.append(contentsOf: character.unicodeScalars)
                characters += 1
            } else {
                finish()
            }
        }
        finish()
        return words
    }

    static func stem(letters: [Unicode.Scalar], language: Language) -> String {
        let stemmed: [Unicode.Scalar]
        switch language {
        case .en: stemmed = EnglishStemmer.stem(letters)
        case .nl: stemmed = DutchStemmer.stem(letters)
        }
        var result = String.UnicodeScalarView()
        result.append(contentsOf: stemmed)
        return String(result)
    }
}

// MARK: - Word buffer

/// A word being stemmed: a mutable array of Unicode scalars with the suffix tests and edits that
/// both algorithms are made of. After the prelude, every edit is at the end of the word, so the
/// region boundaries (R1, R2), which are indexes from the start, stay valid as suffixes go.
struct StemmerWord {
    var letters: [Unicode.Scalar]

    init(_ letters: [Unicode.Scalar]) { self.letters = letters }

    var count: Int { letters.count }

    subscript(index: Int) -> Unicode.Scalar { letters[index] }

    /// The letter at `index`, or nil when `index` is outside the word.
    func letter(at index: Int) -> Unicode.Scalar? {
        index >= 0 && index < letters.count ? letters[index] : nil
    }

    /// Whether the first `end` letters of the word end in `suffix`.
    func hasSuffix(_ suffix: String, endingAt end: Int) -> Bool {
        var index = end
        for scalar in suffix.unicodeScalars.reversed() {
            index -= 1
            if index < 0 || letters[index] != scalar { return false }
        }
        return true
    }

    /// Whether the word ends in `suffix`.
    func hasSuffix(_ suffix: String) -> Bool { hasSuffix(suffix, endingAt: letters.count) }

    /// Whether the word starts with `prefix`.
    func hasPrefix(_ prefix: String) -> Bool {
        var index = 0
        for scalar in prefix.unicodeScalars {
            if index >= letters.count || letters[index] != scalar { return false }
            index += 1
        }
        return true
    }

    /// Whether the first `end` letters are exactly `text`.
    func prefix(_ end: Int, equals text: String) -> Bool {
        text.unicodeScalars.count == end && hasSuffix(text, endingAt: end)
    }

    /// The longest of `suffixes` the word ends in, or nil.
    ///
    /// Snowball's `among` picks the longest matching suffix and then applies only that one's rule:
    /// when its conditions fail, no shorter suffix is tried.
    func longestSuffix<Suffixes: Sequence<String>>(of suffixes: Suffixes) -> String? {
        var best: String?
        var bestLength = 0
        for suffix in suffixes {
            let length = suffix.unicodeScalars.count
            if length > bestLength && hasSuffix(suffix) {
                best = suffix
                bestLength = length
            }
        }
        return best
    }

    /// Removes the last `length` letters.
    mutating func removeLast(_ length: Int) { letters.removeLast(length) }

    /// Replaces the last `length` letters by `replacement`.
    mutating func replaceLast(_ length: Int, with replacement: String) {
        letters.removeLast(length)
        letters.append(contentsOf: replacement.unicodeScalars)
    }

    /// The index just past the first non-vowel that follows a vowel, searching from `start`;
    /// nil when there is none. This is how both algorithms find where R1 and R2 begin.
    func regionStart(from start: Int, isVowel: (Unicode.Scalar) -> Bool) -> Int? {
        var index = start
        while index < letters.count && !isVowel(letters[index]) { index += 1 }
        index += 1
        while index < letters.count && isVowel(letters[index]) { index += 1 }
        return index < letters.count ? index + 1 : nil
    }

    /// Whether any of the first `end` letters is a vowel.
    func containsVowel(before end: Int, isVowel: (Unicode.Scalar) -> Bool) -> Bool {
        letters[..<max(0, min(end, letters.count))].contains(where: isVowel)
    }
}

// MARK: - English (Porter2)

/// The English Snowball stemmer, also known as Porter2
/// (https://snowballstem.org/algorithms/english/stemmer.html), as of Snowball 3.
///
/// Outline:
/// 1. Exceptional forms ("skies" → "sky", "news" stays) are looked up first; words of fewer than
///    three letters are left alone.
/// 2. Prelude: a leading apostrophe is dropped; `y` at the start or after a vowel is marked `Y`
///    (a consonant from then on).
/// 3. R1 and R2 are found. A word starting with one of the special prefixes ("gener", "commun",
///    "arsen", …) has R1 starting right after it.
/// 4. Steps 1a, 1b, 1c, 2, 3, 4 and 5 remove or replace suffixes.
/// 5. Postlude: `Y` becomes `y` again.
///
/// Snowball 3.0 revised Porter2 slightly, and this follows the revised version: more R1 prefixes
/// ("emerg", "inter", "later", "organ", "past", "univers"), "-ogist" → "-og" in step 2, no
/// undoubling in "add"/"egg"/"ebb"…, "evening" kept whole, and the former second exception list
/// ("dying", "succeeded", "inning"…) folded into step 1b. Of 77,251 English words, 153 stem
/// differently from the pre-3.0 version.
enum EnglishStemmer {
    /// a, e, i, o, u, y: the vowels. A marked `Y` is not one.
    static func isVowel(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "a", "e", "i", "o", "u", "y": true
        default: false
        }
    }

    /// Letters that may not end a short syllable: the vowels, w, x and marked Y.
    static func isVowelWXY(_ c: Unicode.Scalar) -> Bool {
        isVowel(c) || c == "w" || c == "x" || c == "Y"
    }

    /// The letters that may precede a removable "-li" (step 2): c d e g h k m n r t.
    static func isValidLiEnding(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "c", "d", "e", "g", "h", "k", "m", "n", "r", "t": true
        default: false
        }
    }

    /// Words that are stemmed by look-up instead of by rule.
    static func exceptionalForm(_ word: String) -> String? {
        switch word {
        case "skis": "ski"
        case "skies": "sky"
        case "idly": "idl"
        case "gently": "gentl"
        case "ugly": "ugli"
        case "early": "earli"
        case "only": "onli"
        case "singly": "singl"
        // Invariant forms.
        case "sky", "news", "howe", "atlas", "cosmos", "bias", "andes": word
        default: nil
        }
    }

    /// Prefixes after which R1 begins directly, so that e.g. "generous" and "general" do not share
    /// the stem "gen".
    static let r1Prefixes = ["gener", "commun", "arsen", "emerg", "inter", "later", "organ", "past", "univers"]

    static func stem(_ letters: [Unicode.Scalar]) -> [Unicode.Scalar] {
        if letters.count <= 6 {
            var text = String.UnicodeScalarView()
            text.append(contentsOf: letters)
            if let exception = exceptionalForm(String(text)) { return Array(exception.unicodeScalars) }
        }
        if letters.count < 3 { return letters }

        var word = StemmerWord(letters)
        let foundY = markY(&word)
        let (p1, p2) = regions(of: word)

        step1a(&word)
        step1b(&word, p1: p1)
        step1c(&word)
        step2(&word, p1: p1)
        step3(&word, p1: p1, p2: p2)
        step4(&word, p2: p2)
        step5(&word, p1: p1, p2: p2)

        // Postlude: marked Y's become y again.
        if foundY {
            for index in word.letters.indices where word.letters[index] == "Y" { word.letters[index] = "y" }
        }
        return word.letters
    }

    /// Prelude: removes a leading apostrophe, then marks `y` as the consonant `Y` at the start of
    /// the word and after a vowel (left to right, so in "ayy" only the first y is marked).
    /// Returns whether any Y was marked.
    static func markY(_ word: inout StemmerWord) -> Bool {
        if word.letters.first == "'" { word.letters.removeFirst() }
        var found = false
        for index in word.letters.indices where word.letters[index] == "y" {
            if index == 0 || isVowel(word.letters[index - 1]) {
                word.letters[index] = "Y"
                found = true
            }
        }
        return found
    }

    /// R1 starts after the first non-vowel following a vowel (or after one of the special
    /// prefixes); R2 is the same rule applied again inside R1. Both default to the word's end.
    static func regions(of word: StemmerWord) -> (p1: Int, p2: Int) {
        let end = word.count
        let p1: Int
        if let prefix = r1Prefixes.first(where: { word.hasPrefix($0) }) {
            p1 = prefix.unicodeScalars.count
        } else if let start = word.regionStart(from: 0, isVowel: isVowel) {
            p1 = start
        } else {
            return (end, end)
        }
        return (p1, word.regionStart(from: p1, isVowel: isVowel) ?? end)
    }

    /// Whether the first `end` letters end in a short syllable: a non-vowel (not w, x or Y), a
    /// vowel and a non-vowel; or, for a two-letter start, a vowel and a non-vowel; or "past".
    static func endsInShortSyllable(_ word: StemmerWord, endingAt end: Int) -> Bool {
        if end >= 3, !isVowelWXY(word[end - 1]), isVowel(word[end - 2]), !isVowel(word[end - 3]) { return true }
        if end == 2, !isVowel(word[1]), isVowel(word[0]) { return true }
        return word.hasSuffix("past", endingAt: end)
    }

    /// Step 1a: possessives and plurals. "'s'", "'s", "'" are removed; then "sses" → "ss";
    /// "ied"/"ies" → "i" after two or more letters, else "ie"; "ss" and "us" stay; a final "s" goes
    /// when a vowel occurs before the letter preceding it ("gaps" → "gap", but "gas" stays).
    static func step1a(_ word: inout StemmerWord) {
        if let apostrophe = word.longestSuffix(of: ["'", "'s", "'s'"]) {
            word.removeLast(apostrophe.unicodeScalars.count)
        }
        switch word.longestSuffix(of: ["sses", "ied", "ies", "ss", "us", "s"]) {
        case "sses":
            word.replaceLast(4, with: "ss")
        case "ied", "ies":
            word.replaceLast(3, with: word.count - 3 >= 2 ? "i" : "ie")
        case "s":
            let s = word.count - 1
            if s >= 1 && word.containsVowel(before: s - 1, isVowel: isVowel) { word.removeLast(1) }
        default:
            break
        }
    }

    /// Step 1b: "-eed(ly)" becomes "-ee" in R1 (not in "succeed", "proceed", "exceed"); "-ed",
    /// "-edly", "-ing", "-ingly" are removed when a vowel precedes them, after which the stem is
    /// tidied: "at"/"bl"/"iz" get an "e", a double consonant is undoubled (not in "add", "egg",
    /// "ebb", "odd"…), and a short word gets an "e" ("hoped" → "hope"). Special "-ing" words:
    /// "dying" → "die" (consonant + "ying"), and "inning", "outing", "canning", "herring",
    /// "earring", "evening" stay whole.
    static func step1b(_ word: inout StemmerWord, p1: Int) {
        guard let suffix = word.longestSuffix(of: ["eed", "eedly", "ed", "edly", "ing", "ingly"]) else { return }
        let start = word.count - suffix.unicodeScalars.count

        switch suffix {
        case "eed", "eedly":
            if start >= p1 && !["succ", "proc", "exc"].contains(where: { word.prefix(start, equals: $0) }) {
                word.replaceLast(suffix.unicodeScalars.count, with: "ee")
            }
            return
        case "ing":
            if ["even", "cann", "inn", "earr", "herr", "out"].contains(where: { word.prefix(start, equals: $0) }) {
                return
            }
            if start == 2 && word[1] == "y" && !isVowel(word[0]) {
                word.replaceLast(4, with: "ie")
                return
            }
        default:
            break
        }

        guard word.containsVowel(before: start, isVowel: isVowel) else { return }
        word.removeLast(suffix.unicodeScalars.count)

        if word.hasSuffix("at") || word.hasSuffix("bl") || word.hasSuffix("iz") {
            word.replaceLast(0, with: "e")
        } else if isDouble(word) {
            let end = word.count
            if end == 3 && "aeo".unicodeScalars.contains(word[0]) { return }
            word.removeLast(1)
        } else if word.count == p1 && endsInShortSyllable(word, endingAt: word.count) {
            word.replaceLast(0, with: "e")
        }
    }

    /// Whether the word ends in bb, dd, ff, gg, mm, nn, pp, rr or tt.
    static func isDouble(_ word: StemmerWord) -> Bool {
        let end = word.count
        guard end >= 2, word[end - 1] == word[end - 2] else { return false }
        switch word[end - 1] {
        case "b", "d", "f", "g", "m", "n", "p", "r", "t": return true
        default: return false
        }
    }

    /// Step 1c: a final y or Y after a non-vowel that is not the first letter becomes i
    /// ("cry" → "cri", but "by" and "say" stay).
    static func step1c(_ word: inout StemmerWord) {
        let end = word.count
        guard end >= 3, word[end - 1] == "y" || word[end - 1] == "Y", !isVowel(word[end - 2]) else { return }
        word.letters[end - 1] = "i"
    }

    /// Step 2 suffixes in R1 and their replacements ("ogi" and "li" have extra conditions).
    static let step2Rules: [String: String] = [
        "tional": "tion", "enci": "ence", "anci": "ance", "abli": "able", "entli": "ent",
        "izer": "ize", "ization": "ize", "ational": "ate", "ation": "ate", "ator": "ate",
        "alism": "al", "aliti": "al", "alli": "al", "fulness": "ful", "fulli": "ful",
        "ousli": "ous", "ousness": "ous", "iveness": "ive", "iviti": "ive", "biliti": "ble",
        "bli": "ble", "ogist": "og", "ogi": "og", "lessli": "less", "li": "",
    ]

    /// Step 2: derivational suffixes in R1 ("-ational" → "-ate", "-fulness" → "-ful"…). "-ogi"
    /// becomes "-og" only after l; "-li" is removed only after c d e g h k m n r t.
    static func step2(_ word: inout StemmerWord, p1: Int) {
        guard let suffix = word.longestSuffix(of: step2Rules.keys), let replacement = step2Rules[suffix] else { return }
        let length = suffix.unicodeScalars.count
        let start = word.count - length
        guard start >= p1 else { return }
        switch suffix {
        case "ogi":
            guard word.letter(at: start - 1) == "l" else { return }
        case "li":
            guard let before = word.letter(at: start - 1), isValidLiEnding(before) else { return }
        default:
            break
        }
        word.replaceLast(length, with: replacement)
    }

    /// Step 3 suffixes in R1 and their replacements ("ative" also needs R2).
    static let step3Rules: [String: String] = [
        "tional": "tion", "ational": "ate", "alize": "al", "icate": "ic", "iciti": "ic",
        "ical": "ic", "ful": "", "ness": "", "ative": "",
    ]

    /// Step 3: more derivational suffixes in R1 ("-icate" → "-ic", "-ness" removed…); "-ative" is
    /// removed only in R2.
    static func step3(_ word: inout StemmerWord, p1: Int, p2: Int) {
        guard let suffix = word.longestSuffix(of: step3Rules.keys), let replacement = step3Rules[suffix] else { return }
        let length = suffix.unicodeScalars.count
        let start = word.count - length
        guard start >= p1 else { return }
        if suffix == "ative" && start < p2 { return }
        word.replaceLast(length, with: replacement)
    }

    /// Step 4 suffixes, removed in R2.
    static let step4Suffixes = [
        "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ism", "ate",
        "iti", "ous", "ive", "ize", "ion",
    ]

    /// Step 4: suffixes such as "-ement", "-ance", "-ize" are removed in R2; "-ion" only after s or t.
    static func step4(_ word: inout StemmerWord, p2: Int) {
        guard let suffix = word.longestSuffix(of: step4Suffixes) else { return }
        let length = suffix.unicodeScalars.count
        let start = word.count - length
        guard start >= p2 else { return }
        if suffix == "ion" {
            guard let before = word.letter(at: start - 1), before == "s" || before == "t" else { return }
        }
        word.removeLast(length)
    }

    /// Step 5: a final "e" goes in R2, or in R1 when the rest does not end in a short syllable;
    /// a final "l" goes in R2 after another l.
    static func step5(_ word: inout StemmerWord, p1: Int, p2: Int) {
        let last = word.count - 1
        guard last >= 0 else { return }
        if word[last] == "e" {
            if last >= p2 || (last >= p1 && !endsInShortSyllable(word, endingAt: last)) { word.removeLast(1) }
        } else if word[last] == "l" {
            if last >= p2 && word.letter(at: last - 1) == "l" { word.removeLast(1) }
        }
    }
}

// MARK: - Dutch

/// The classic Dutch Snowball stemmer (https://snowballstem.org/algorithms/dutch/stemmer.html;
/// `dutch_porter` since Snowball 3.0).
///
/// Outline:
/// 1. Prelude: accented vowels lose their accent (ä ë ï ö ü á é í ó ú → a e i o u); `y` at the start
///    or after a vowel, and `i` between vowels, are marked `Y` and `I` (consonants from then on).
/// 2. R1 and R2 are found; R1 is made to start after at least three letters.
/// 3. Step 1 removes "-heden", "-en(e)", "-s(e)"; step 2 removes a final "-e"; step 3a removes
///    "-heid"; step 3b removes "-end", "-ing", "-ig", "-lijk", "-baar", "-bar"; step 4 undoubles a
///    vowel before a final consonant ("maan" → "man").
/// 4. Postlude: `Y` and `I` become `y` and `i` again.
enum DutchStemmer {
    /// a e i o u y è: the vowels. Marked `I` and `Y` are not.
    static func isVowel(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "a", "e", "i", "o", "u", "y", "è": true
        default: false
        }
    }

    /// The letter with its acute accent or diaeresis removed (for a ä á e ë é i ï í o ö ó u ü ú).
    static func removingAccent(_ c: Unicode.Scalar) -> Unicode.Scalar {
        switch c {
        case "ä", "á": "a"
        case "ë", "é": "e"
        case "ï", "í": "i"
        case "ö", "ó": "o"
        case "ü", "ú": "u"
        default: c
        }
    }

    static func stem(_ letters: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var word = StemmerWord(letters.map(removingAccent))
        markIAndY(&word)
        let (p1, p2) = regions(of: word)

        step1(&word, p1: p1)
        let foundE = step2(&word, p1: p1)
        step3a(&word, p1: p1, p2: p2)
        step3b(&word, p1: p1, p2: p2, foundE: foundE)
        step4(&word)

        // Postlude: the markers become ordinary letters again.
        for index in word.letters.indices {
            switch word.letters[index] {
            case "Y": word.letters[index] = "y"
            case "I": word.letters[index] = "i"
            default: break
            }
        }
        return word.letters
    }

    /// Prelude: marks an initial `y` as `Y`; then, scanning left to right for vowels, marks a `y`
    /// right after a vowel as `Y`, and an `i` right after a vowel as `I` when a vowel also follows
    /// it ("ooievaar" → "ooIevaar", "mooiste" stays).
    static func markIAndY(_ word: inout StemmerWord) {
        if word.letters.first == "y" { word.letters[0] = "Y" }
        var index = 0
        while true {
            // Go past the next vowel.
            while index < word.count && !isVowel(word[index]) { index += 1 }
            guard index < word.count else { return }
            index += 1
            guard let next = word.letter(at: index) else { return }
            if next == "i" {
                if let after = word.letter(at: index + 1), isVowel(after) { word.letters[index] = "I" }
                index += 1
            } else if next == "y" {
                word.letters[index] = "Y"
                index += 1
            }
        }
    }

    /// R1 starts after the first non-vowel following a vowel, but never before the fourth letter;
    /// R2 applies the same rule again from where R1 would have started unadjusted. Words of fewer
    /// than three letters have empty regions.
    static func regions(of word: StemmerWord) -> (p1: Int, p2: Int) {
        let end = word.count
        guard end >= 3, let start = word.regionStart(from: 0, isVowel: isVowel) else { return (end, end) }
        return (max(start, 3), word.regionStart(from: start, isVowel: isVowel) ?? end)
    }

    /// Undoubles a final dd, kk or tt ("katt", left of "katten", becomes "kat").
    static func undouble(_ word: inout StemmerWord) {
        if word.hasSuffix("dd") || word.hasSuffix("kk") || word.hasSuffix("tt") { word.removeLast(1) }
    }

    /// Removes the last `length` letters ("-en" or "-ene") when they are in R1, follow a non-vowel
    /// and do not follow "gem", then undoubles ("lichamen" → "licham", "katten" → "kat"; but
    /// "algemene" keeps its "-ene" and only loses the final "e" in step 2: "algemen").
    @discardableResult
    static func removeEnEnding(_ word: inout StemmerWord, length: Int, p1: Int) -> Bool {
        let start = word.count - length
        guard start >= p1, let before = word.letter(at: start - 1), !isVowel(before),
            !word.hasSuffix("gem", endingAt: start)
        else { return false }
        word.removeLast(length)
        undouble(&word)
        return true
    }

    /// Step 1: "-heden" → "-heid" in R1; "-en" and "-ene" per `removeEnEnding`; "-s" and "-se" are
    /// removed in R1 after a letter that is neither a vowel nor j.
    static func step1(_ word: inout StemmerWord, p1: Int) {
        guard let suffix = word.longestSuffix(of: ["heden", "ene", "en", "se", "s"]) else { return }
        let length = suffix.unicodeScalars.count
        let start = word.count - length
        switch suffix {
        case "heden":
            if start >= p1 { word.replaceLast(length, with: "heid") }
        case "ene", "en":
            removeEnEnding(&word, length: length, p1: p1)
        default:
            guard start >= p1, let before = word.letter(at: start - 1), !isVowel(before), before != "j" else { return }
            word.removeLast(length)
        }
    }

    /// Step 2 (and, after "-lijk", part of step 3b): a final "-e" in R1 after a non-vowel is
    /// removed, then the word is undoubled. Returns whether an "e" was removed.
    static func step2(_ word: inout StemmerWord, p1: Int) -> Bool {
        let start = word.count - 1
        guard start >= 0, word[start] == "e", start >= p1, let before = word.letter(at: start - 1), !isVowel(before)
        else { return false }
        word.removeLast(1)
        undouble(&word)
        return true
    }

    /// Step 3a: "-heid" in R2, not after c, is removed, and then an "-en" before it as in step 1
    /// ("mogelijkheden" reaches here as "mogelijkheid").
    static func step3a(_ word: inout StemmerWord, p1: Int, p2: Int) {
        guard word.hasSuffix("heid") else { return }
        let start = word.count - 4
        guard start >= p2, word.letter(at: start - 1) != "c" else { return }
        word.removeLast(4)
        if word.hasSuffix("en") { removeEnEnding(&word, length: 2, p1: p1) }
    }

    /// Step 3b: suffixes in R2. "-end" and "-ing" are removed, then "-ig" in R2 not after e, or
    /// else the word is undoubled; "-ig" is removed when not after e; "-lijk" is removed and step 2
    /// is repeated; "-baar" is removed; "-bar" is removed only if step 2 removed an "e".
    static func step3b(_ word: inout StemmerWord, p1: Int, p2: Int, foundE: Bool) {
        guard let suffix = word.longestSuffix(of: ["end", "ing", "ig", "lijk", "baar", "bar"]) else { return }
        let length = suffix.unicodeScalars.count
        let start = word.count - length
        guard start >= p2 else { return }
        switch suffix {
        case "end", "ing":
            word.removeLast(length)
            let igStart = word.count - 2
            if word.hasSuffix("ig") && igStart >= p2 && word.letter(at: igStart - 1) != "e" {
                word.removeLast(2)
            } else {
                undouble(&word)
            }
        case "ig":
            guard word.letter(at: start - 1) != "e" else { return }
            word.removeLast(length)
        case "lijk":
            word.removeLast(length)
            _ = step2(&word, p1: p1)
        case "baar":
            word.removeLast(length)
        default:  // "bar"
            if foundE { word.removeLast(length) }
        }
    }

    /// Step 4: when the word ends in a non-vowel (other than I) preceded by aa, ee, oo or uu, which
    /// is itself preceded by a non-vowel, one of the doubled vowels goes ("maan" → "man",
    /// "lichaam" → "licham").
    static func step4(_ word: inout StemmerWord) {
        let end = word.count
        guard end >= 4 else { return }
        let last = word[end - 1]
        guard !isVowel(last), last != "I" else { return }
        let vowel = word[end - 2]
        guard vowel == word[end - 3], "aeou".unicodeScalars.contains(vowel), !isVowel(word[end - 4]) else { return }
        word.letters.remove(at: end - 2)
    }
}
