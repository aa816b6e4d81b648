import Foundation

/// A line plot of a time series in Unicode braille characters, each character a 2×4 grid of dots.
///
/// ```
///  40 ┤                                                         ⢀⠤⠒
///     │                                                    ⢀⡠⠔⠊⠁
///  15 ┤⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⡠⠔⠊⠁
///     └────────────────────────────────────────────────────────────
///      2024-01-01T00:00:00+00:00          2024-01-01T00:01:00+00:00
/// ```
///
/// Points are placed by time, consecutive points joined by straight lines; the y axis is labelled
/// with the minimum and the maximum, the x axis with the first and last timestamps.
struct TerminalPlot {
    /// The plotting area's width in characters.
    var width = 60
    /// The plotting area's height in characters.
    var height = 12

    /// The plot's lines, without newlines; none when there is no finite value.
    /// - Parameters:
    ///   - times: The points' times, ascending, in any unit.
    ///   - values: One value per time; NaN and infinities leave a gap.
    ///   - firstLabel: Printed under the left end of the x axis.
    ///   - lastLabel: Printed under the right end of the x axis when the series spans some time.
    func render(times: [Int64], values: [Double], firstLabel: String, lastLabel: String) -> [String] {
        precondition(times.count == values.count, "one value per time")
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max(), let start = times.first, let end = times.last else { return [] }
        let dotsWide = width * 2, dotsHigh = height * 4
        func x(_ time: Int64) -> Int {
            end == start ? dotsWide / 2 : Int((Double(time - start) / Double(end - start) * Double(dotsWide - 1)).rounded())
        }
        func y(_ value: Double) -> Int {  // from the top
            let fraction = high == low ? 0.5 : (value - low) / (high - low)
            return dotsHigh - 1 - Int((fraction * Double(dotsHigh - 1)).rounded())
        }

        var canvas = BrailleCanvas(width: width, height: height)
        var previous: (x: Int, y: Int)?
        for (time, value) in zip(times, values) {
            guard value.isFinite else { previous = nil; continue }
            let point = (x: x(time), y: y(value))
            if let previous { canvas.line(from: previous, to: point) } else { canvas.set(point.x, point.y) }
            previous = point
        }

        var labels = [Int: String]()
        if high == low {
            labels[y(low) / 4] = Self.number(low)
        } else {
            labels[0] = Self.number(high)
            labels[height - 1] = Self.number(low)
        }
        let labelWidth = labels.values.map(\.count).max() ?? 0
        var lines = canvas.rows.enumerated().map { row, text in
            let label = labels[row] ?? ""
            return String(repeating: " ", count: labelWidth - label.count) + label + (labels[row] == nil ? " │" : " ┤") + text
        }
        let margin = String(repeating: " ", count: labelWidth + 1)
        lines.append(margin + "└" + String(repeating: "─", count: width))
        if end == start || firstLabel.count + lastLabel.count + 1 > width {
            lines.append(margin + " " + firstLabel)
            if end != start { lines.append(margin + " " + String(repeating: " ", count: max(0, width - lastLabel.count)) + lastLabel) }
        } else {
            lines.append(margin + " " + firstLabel + String(repeating: " ", count: width - firstLabel.count - lastLabel.count) + lastLabel)
        }
        return lines
    }

    /// A y-axis label: up to 6 significant digits.
    static func number(_ value: Double) -> String {
        String(format: "%.6g", value)
    }
}

/// A grid of braille dots, `width × 2` dots wide and `height × 4` dots high.
private struct BrailleCanvas {
    private let width: Int, height: Int
    private var cells: [UInt8]

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        cells = Array(repeating: 0, count: width * height)
    }

    /// Sets the dot `x` from the left, `y` from the top; dots outside the grid are ignored.
    mutating func set(_ x: Int, _ y: Int) {
        guard x >= 0, y >= 0, x < width * 2, y < height * 4 else { return }
        // The dots' bits in a braille character: left column 1, 2, 3, 7; right column 4, 5, 6, 8.
        let bits: [[UInt8]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]
        cells[(y / 4) * width + x / 2] |= bits[x % 2][y % 4]
    }

    /// Sets the dots of the straight line between two dots (Bresenham).
    mutating func line(from a: (x: Int, y: Int), to b: (x: Int, y: Int)) {
        let dx = abs(b.x - a.x), dy = -abs(b.y - a.y)
        let sx = a.x < b.x ? 1 : -1, sy = a.y < b.y ? 1 : -1
        var error = dx + dy, x = a.x, y = a.y
        while true {
            set(x, y)
            if x == b.x && y == b.y { return }
            let doubled = 2 * error
            if doubled >= dy { error += dy; x += sx }
            if doubled <= dx { error += dx; y += sy }
        }
    }

    /// One string per character row; cells without dots are spaces.
    var rows: [String] {
        (0..<height).map { row in
            String(String.UnicodeScalarView(cells[row * width..<(row + 1) * width].map { bits in
                bits == 0 ? " " : Unicode.Scalar(0x2800 + UInt32(bits))!
            }))
        }
    }
}
