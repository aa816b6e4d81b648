/// A consistent-hash ring: maps a resource id to one of several destinations, the same one every
/// time and in every process (a stable hash, not Swift's per-process `Hasher`), and moves only
/// about 1/n of the resources when a destination is added or removed.
public struct HashRing<Node: Sendable & Hashable>: Sendable {
    private let points: [(hash: UInt64, node: Int)]
    /// The destinations, in the order given.
    public let nodes: [Node]

    /// Places `replicas` points per node on the ring; `key` names a node (its address).
    public init(_ nodes: [Node], replicas: Int = 128, key: (Node) -> String) {
        precondition(!nodes.isEmpty, "a hash ring needs at least one node")
        self.nodes = nodes
        var points: [(hash: UInt64, node: Int)] = []
        points.reserveCapacity(nodes.count * replicas)
        for (index, node) in nodes.enumerated() {
            let name = key(node)
            for replica in 0..<replicas {
                points.append((Self.hash("\(name)#\(replica)"), index))
            }
        }
        self.points = points.sorted { $0.hash < $1.hash || ($0.hash == $1.hash && $0.node < $1.node) }
    }

    /// The index in ``nodes`` of the destination of `key`.
    public func index(for key: String) -> Int {
        guard nodes.count > 1 else { return 0 }
        let value = Self.hash(key)
        var low = 0
        var high = points.count
        while low < high {
            let middle = (low + high) / 2
            if points[middle].hash < value { low = middle + 1 } else { high = middle }
        }
        return points[low == points.count ? 0 : low].node
    }

    /// The destination of `key`.
    public func node(for key: String) -> Node { nodes[index(for: key)] }

    /// FNV-1a over the UTF-8 bytes, then the splitmix64 finaliser (FNV alone clusters similar keys).
    static func hash(_ text: String) -> UInt64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            value ^= UInt64(byte)
            value &*= 0x0000_0100_0000_01b3
        }
        value ^= value >> 30
        value &*= 0xbf58_476d_1ce4_e5b9
        value ^= value >> 27
        value &*= 0x94d0_49bb_1331_11eb
        value ^= value >> 31
        return value
    }
}
