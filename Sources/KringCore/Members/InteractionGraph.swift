import Foundation

/// Who replied to or reacted to whom (METRICS.md, "Reach / influence"): the graph behind the
/// champions page. Nodes are dense integers (the caller keeps the map to members); an edge
/// `from → to` counts the interactions of `from` with `to`'s posts.
public struct InteractionGraph: Sendable {
    public let nodeCount: Int
    /// Outgoing edges with their weights, per node.
    public private(set) var outgoing: [[Int: Double]]

    public init(nodeCount: Int) {
        self.nodeCount = nodeCount
        outgoing = Array(repeating: [:], count: nodeCount)
    }

    /// Records one interaction; interactions with oneself are no edge.
    public mutating func add(from: Int, to: Int, weight: Double = 1) {
        guard from != to, outgoing.indices.contains(from), outgoing.indices.contains(to) else { return }
        outgoing[from][to, default: 0] += weight
    }

    /// Each node's neighbours, whichever way the interaction went.
    public var neighbours: [Set<Int>] {
        var result = Array(repeating: Set<Int>(), count: nodeCount)
        for (from, edges) in outgoing.enumerated() {
            for to in edges.keys {
                result[from].insert(to)
                result[to].insert(from)
            }
        }
        return result
    }

    /// Degree: the number of distinct people each member interacted with, either way.
    public func degrees() -> [Int] { neighbours.map(\.count) }

    /// PageRank on the weighted graph with the usual damping of 0.85: attention flows from whoever
    /// replies or reacts to the author they answer. Members nobody answers pass theirs on evenly.
    /// The ranks sum to 1.
    public func pageRank(damping: Double = 0.85, tolerance: Double = 1e-10, maxIterations: Int = 100) -> [Double] {
        let n = nodeCount
        guard n > 0 else { return [] }
        let totals = outgoing.map { $0.values.reduce(0, +) }
        var rank = Array(repeating: 1 / Double(n), count: n)
        for _ in 0..<maxIterations {
            var next = Array(repeating: 0.0, count: n)
            var dangling = 0.0
            for node in 0..<n {
                if totals[node] == 0 {
                    dangling += rank[node]
                    continue
                }
                for (to, weight) in outgoing[node] { next[to] += damping * rank[node] * weight / totals[node] }
            }
            let base = (1 - damping) / Double(n) + damping * dangling / Double(n)
            var change = 0.0
            for node in 0..<n {
                next[node] += base
                change += abs(next[node] - rank[node])
            }
            rank = next
            if change < tolerance { break }
        }
        return rank
    }

    /// Betweenness centrality (Brandes 2001) on the undirected, unweighted graph: how many shortest
    /// paths between two other members pass through each member — the bridges between circles.
    /// Each unordered pair counts once. Above `exactUpTo` nodes it is estimated from `samples`
    /// evenly spread source nodes and scaled up (Brandes & Pich 2007), which keeps a large community
    /// to seconds.
    public func betweenness(exactUpTo: Int = 2_000, samples: Int = 256) -> [Double] {
        let n = nodeCount
        guard n > 2 else { return Array(repeating: 0, count: n) }
        let adjacency = neighbours.map { Array($0) }
        let sources: [Int]
        if n <= exactUpTo {
            sources = Array(0..<n)
        } else {
            let stride = Double(n) / Double(samples)
            sources = (0..<samples).map { Int(Double($0) * stride) }
        }
        var centrality = Array(repeating: 0.0, count: n)
        var sigma = Array(repeating: 0.0, count: n)
        var distance = Array(repeating: -1, count: n)
        var delta = Array(repeating: 0.0, count: n)
        var predecessors = Array(repeating: [Int](), count: n)
        for source in sources {
            var order: [Int] = []
            var queue = [source]
            var head = 0
            for node in 0..<n {
                sigma[node] = 0
                distance[node] = -1
                delta[node] = 0
                predecessors[node].removeAll(keepingCapacity: true)
            }
            sigma[source] = 1
            distance[source] = 0
            while head < queue.count {
                let node = queue[head]
                head += 1
                order.append(node)
                for next in adjacency[node] {
                    if distance[next] < 0 {
                        distance[next] = distance[node] + 1
                        queue.append(next)
                    }
                    if distance[next] == distance[node] + 1 {
                        sigma[next] += sigma[node]
                        predecessors[next].append(node)
                    }
                }
            }
            for node in order.reversed() {
                for previous in predecessors[node] { delta[previous] += sigma[previous] / sigma[node] * (1 + delta[node]) }
                if node != source { centrality[node] += delta[node] }
            }
        }
        // Every path was counted from both of its ends; sampling counts a share of the sources.
        let scale = Double(n) / Double(sources.count) / 2
        return centrality.map { $0 * scale }
    }
}

/// Expertise per tag (Zhang, Ackerman & Adamic 2007): z = (answers − questions) ÷ √(answers + questions).
/// Positive for those who answer more than they ask; zero when they did neither.
public enum Expertise {
    public static func zScore(answers: Int, questions: Int) -> Double {
        let total = answers + questions
        guard total > 0 else { return 0 }
        return Double(answers - questions) / Double(total).squareRoot()
    }
}
