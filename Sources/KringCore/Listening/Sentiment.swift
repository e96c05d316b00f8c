import Foundation

/// A post's polarity as METRICS.md counts it: positive above +0.05, negative below −0.05.
public enum SentimentLabel: String, CaseIterable, Codable, Sendable {
    case positive, neutral, negative

    public static let neutralBand = 0.05

    public init(score: Double) {
        self = score >= Self.neutralBand ? .positive : score <= -Self.neutralBand ? .negative : .neutral
    }
}

/// One language's word list: polarity per term (−1…+1), the words that negate what follows and the
/// words that strengthen (or, negative, soften) it, and the word that shifts the weight to what
/// comes after it ("but", "maar").
public struct SentimentLexicon: Sendable {
    public let terms: [String: Double]
    public let negations: Set<String>
    public let boosters: [String: Double]
    public let contrast: String

    public init(terms: [String: Double], negations: Set<String>, boosters: [String: Double], contrast: String) {
        self.terms = terms
        self.negations = negations
        self.boosters = boosters
        self.contrast = contrast
    }

    /// Reads the shipped files: `term<TAB>score` lines, and `negate<TAB>word` / `boost<TAB>word<TAB>value`
    /// lines. Lines starting with "# " are comments (other punctuation starts emoticons).
    public static func parse(terms: String, modifiers: String, contrast: String) -> SentimentLexicon {
        var lexicon: [String: Double] = [:]
        var negations: Set<String> = []
        var boosters: [String: Double] = [:]
        for line in terms.split(separator: "\n") where !line.hasPrefix("# ") {
            let fields = line.split(separator: "\t")
            if fields.count == 2, let value = Double(fields[1]) { lexicon[String(fields[0])] = value }
        }
        for line in modifiers.split(separator: "\n") where !line.hasPrefix("# ") {
            let fields = line.split(separator: "\t")
            if fields.count >= 2, fields[0] == "negate" { negations.insert(String(fields[1])) }
            if fields.count == 3, fields[0] == "boost", let value = Double(fields[2]) { boosters[String(fields[1])] = value }
        }
        return SentimentLexicon(terms: lexicon, negations: negations, boosters: boosters, contrast: contrast)
    }

    func isKnown(_ token: String) -> Bool { terms[token] != nil || negations.contains(token) || boosters[token] != nil }
}

/// Lexicon-based polarity of a text, after VADER (Hutto & Gilbert, 2014) on a −1…+1 scale: each
/// known word's score, strengthened by boosters right before it (up to three, each a little less),
/// flipped and damped by a negation among the three words before it, halved before a "but" and
/// increased after it; the sum squashed into −1…+1. Quoted lines (`> …`) and web addresses are left
/// out: they are someone else's words. It reads words, not meaning — irony and sarcasm fool it.
public struct SentimentAnalyzer: Sendable {
    public static let negationFactor = -0.74
    static let boosterDecay = [1.0, 0.95, 0.9]
    /// VADER's normalisation constant 15, on the quarter-size scale of these lexicons.
    static let alpha = 15.0 / 16.0
    static let beforeContrast = 0.5
    static let afterContrast = 1.5

    public let lexicons: [Language: SentimentLexicon]

    public init(lexicons: [Language: SentimentLexicon]) {
        self.lexicons = lexicons
    }

    /// The language and score of a text; `fallback` where the words do not tell.
    public func analyse(_ text: String, fallback: Language) -> (language: Language, score: Double) {
        let language = LanguageGuess.guess(text) ?? fallback
        return (language, score(text, language: language))
    }

    public func score(_ text: String, language: Language) -> Double {
        guard let lexicon = lexicons[language] else { return 0 }
        let tokens = Self.tokens(Self.ownWords(text), lexicon: lexicon)
        let contrastIndex = tokens.firstIndex(of: lexicon.contrast)
        func negates(_ token: String) -> Bool {
            lexicon.negations.contains(token) || (language == .en && token.contains("n't"))
        }
        var total = 0.0
        for (index, token) in tokens.enumerated() {
            guard !negates(token), lexicon.boosters[token] == nil, var value = lexicon.terms[token] else { continue }
            var back = index - 1
            var step = 0
            while back >= 0, step < Self.boosterDecay.count, let boost = lexicon.boosters[tokens[back]] {
                value += (value < 0 ? -1 : 1) * boost * Self.boosterDecay[step]
                step += 1
                back -= 1
            }
            if tokens[max(0, index - 3)..<index].contains(where: negates) { value *= Self.negationFactor }
            if let contrastIndex { value *= index < contrastIndex ? Self.beforeContrast : index > contrastIndex ? Self.afterContrast : 1 }
            total += value
        }
        return total == 0 ? 0 : total / (total * total + Self.alpha).squareRoot()
    }

    /// The text without quoted lines and web addresses.
    static func ownWords(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix(">") }
            .map { line in line.split(separator: " ").filter { !$0.contains("://") && !$0.hasPrefix("www.") }.joined(separator: " ") }
            .joined(separator: "\n")
    }

    /// Lower-case tokens: emoticons the lexicon knows as they are, otherwise runs of letters, digits
    /// and apostrophes (joined by inner hyphens; a hyphenated word the lexicon does not know splits).
    static func tokens(_ text: String, lexicon: SentimentLexicon) -> [String] {
        let normalised = text.lowercased().replacingOccurrences(of: "\u{2019}", with: "'").replacingOccurrences(of: "\u{2018}", with: "'")
        var result: [String] = []
        for chunk in normalised.split(whereSeparator: { $0.isWhitespace }).map(String.init) {
            let trimmed = String(chunk.reversed().drop(while: { ".,!?;".contains($0) }).reversed())
            if lexicon.isKnown(chunk), !chunk.allSatisfy(isWordCharacter) {
                result.append(chunk)
                continue
            }
            if !trimmed.isEmpty, lexicon.isKnown(trimmed), !trimmed.allSatisfy(isWordCharacter) {
                result.append(trimmed)
                continue
            }
            for word in words(in: chunk) {
                if word.contains("-"), !lexicon.isKnown(word) {
                    result += word.split(separator: "-").map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: "'")) }
                        .filter { !$0.isEmpty }
                } else {
                    result.append(word)
                }
            }
        }
        return result
    }

    static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "'" || character == "-"
    }

    /// Runs of letters, digits and apostrophes, with hyphens kept only between two of them.
    static func words(in chunk: String) -> [String] {
        let characters = Array(chunk)
        var words: [String] = []
        var current = ""
        for (index, character) in characters.enumerated() {
            let inner =
                character == "-" && !current.isEmpty && index + 1 < characters.count
                && (characters[index + 1].isLetter || characters[index + 1].isNumber)
            if character.isLetter || character.isNumber || character == "'" || inner {
                current.append(character)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "'")) }.filter { !$0.isEmpty }
    }
}

/// Dutch or English, from the commonest small words; nil when a text has too few to tell.
public enum LanguageGuess {
    static let dutch: Set<String> = [
        "de", "het", "een", "en", "niet", "ik", "je", "van", "dat", "die", "op", "met", "voor", "zijn", "maar", "ook", "wel", "er",
        "als", "nog", "naar", "bij", "dit", "geen", "heb", "kan", "om", "wat", "wij", "jullie", "mijn", "hoe", "waarom", "dank",
    ]
    static let english: Set<String> = [
        "the", "a", "and", "not", "i", "you", "of", "that", "to", "it", "for", "with", "on", "but", "this", "have", "be", "are", "was",
        "my", "can", "what", "no", "we", "they", "how", "why", "thanks", "do", "does", "is",
    ]

    public static func guess(_ text: String) -> Language? {
        var nl = 0
        var en = 0
        for word in text.lowercased().split(whereSeparator: { !$0.isLetter }) {
            let token = String(word)
            if dutch.contains(token) { nl += 1 }
            if english.contains(token) { en += 1 }
        }
        guard nl + en > 0, nl != en else { return nil }
        return nl > en ? .nl : .en
    }
}
