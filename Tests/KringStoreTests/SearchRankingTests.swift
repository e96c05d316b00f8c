import Foundation
import Testing

@testable import KringStore

@Suite("Search ranking")
struct SearchRankingTests {
    @Test func everyWordMustMatchInEitherLanguageAndShorterTextsRankFirst() {
        #expect(SearchIndex.ftsQuery("warmtepompen")?.contains(#""warmtepomp""#) == true, "the Dutch stem is asked for")
        #expect(SearchIndex.ftsQuery("   ") == nil, "no words, no query")
        let long = UUID()
        let short = UUID()
        let newerTie = UUID()
        let olderTie = UUID()
        let ranked = SearchIndex.ranked(
            [
                (long, Set("warmtepomp radiator vloer isolatie spouw gas rekening buren".split(separator: " "))),
                (newerTie, Set("warmtepomp radiator geluid".split(separator: " "))),
                (short, Set("warmtepomp".split(separator: " "))),
                (olderTie, Set("warmtepomp buitenunit erfgrens".split(separator: " "))),
            ], clauses: [["warmtepomp"]])
        #expect(ranked.map(\.id) == [short, newerTie, olderTie, long], "shorter first; equal lengths keep the newer first")
        #expect(ranked.allSatisfy { $0.rank > 0 })
        #expect(SearchIndex.ranked([], clauses: [["x"]]).isEmpty)
    }
}
