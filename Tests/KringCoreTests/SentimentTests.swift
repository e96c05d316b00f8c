import Foundation
import Testing

@testable import KringCore

/// Sentiment on the shipped lexicons (VADER for English, Pattern for Dutch) against sentences
/// labelled by hand for this test (Tests/KringCoreTests/Resources/sentiment-labelled.tsv).
@Suite("Sentiment")
struct SentimentTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func file(_ path: String) throws -> String {
        try String(contentsOf: repository.appendingPathComponent(path), encoding: .utf8)
    }

    static let analyzer: SentimentAnalyzer = {
        func lexicon(_ language: Language, contrast: String) -> SentimentLexicon {
            let directory = "Sources/KringWeb/Resources/sentiment/"
            return SentimentLexicon.parse(
                terms: (try? file(directory + "\(language.rawValue).tsv")) ?? "",
                modifiers: (try? file(directory + "\(language.rawValue)-modifiers.tsv")) ?? "", contrast: contrast)
        }
        return SentimentAnalyzer(lexicons: [.en: lexicon(.en, contrast: "but"), .nl: lexicon(.nl, contrast: "maar")])
    }()

    @Test func handLabelledSentencesAreMostlyRightInBothLanguages() throws {
        var right: [Language: Int] = [:]
        var total: [Language: Int] = [:]
        var wrong: [String] = []
        for line in try Self.file("Tests/KringCoreTests/Resources/sentiment-labelled.tsv").split(separator: "\n") {
            let fields = line.split(separator: "\t", maxSplits: 2).map(String.init)
            guard fields.count == 3, let language = Language(rawValue: fields[0]), let expected = SentimentLabel(rawValue: fields[1])
            else { continue }
            let label = SentimentLabel(score: Self.analyzer.score(fields[2], language: language))
            total[language, default: 0] += 1
            if label == expected { right[language, default: 0] += 1 } else { wrong.append("\(label): \(fields[2])") }
        }
        for language in Language.allCases {
            let accuracy = Double(right[language] ?? 0) / Double(max(1, total[language] ?? 0))
            #expect(total[language] == 30)
            // Lexicons miss words and irony: about four in five is what they can do (the README says so).
            #expect(accuracy >= 0.75, "\(language): \(accuracy); wrong: \(wrong)")
        }
    }

    @Test func negationsBoostersAndContrastShiftTheScore() {
        let en = { (text: String) in Self.analyzer.score(text, language: .en) }
        let nl = { (text: String) in Self.analyzer.score(text, language: .nl) }
        #expect(en("This is good") > 0.05 && en("This is not good") < -0.05)
        #expect(en("This is very good") > en("This is good"))
        #expect(nl("Dit is goed") > 0.05 && nl("Dit is niet goed") < -0.05)
        #expect(nl("Ik ben heel erg blij") > nl("Ik ben blij"))
        #expect(en("The idea is great but the app is terrible") < 0, "what follows 'but' weighs more")
        #expect(en("Meeting at 10 in room 4") == 0)
        #expect(en("> this is terrible\nThanks, that helps!") > 0.05, "quoted words are someone else's")
        #expect(SentimentLabel(score: 0.049) == .neutral && SentimentLabel(score: -0.05) == .negative)
    }

    @Test func theLanguageIsGuessedFromItsSmallWords() {
        #expect(LanguageGuess.guess("Ik heb een vraag over de nieuwe versie") == .nl)
        #expect(LanguageGuess.guess("I have a question about the new version") == .en)
        #expect(LanguageGuess.guess("👍") == nil)
        let (language, score) = Self.analyzer.analyse("Dit is echt een fantastisch idee, dank je wel!", fallback: .en)
        #expect(language == .nl && score > 0.05)
    }
}
