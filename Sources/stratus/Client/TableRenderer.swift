/// Renders rows of text as the OpenStack CLI (cliff, through prettytable) prints them:
///
/// ```
/// +------+-------------+
/// | name | back_window |
/// +------+-------------+
/// | low  |           0 |
/// +------+-------------+
/// ```
///
/// A cell holding several lines makes its row that many lines tall.
enum TableRenderer {
    /// The table, ending in a newline.
    /// - Parameters:
    ///   - columns: The column headers.
    ///   - rows: One cell per column in each row.
    ///   - rightAligned: Per column, whether its cells (and header) are right-aligned; left otherwise.
    static func render(columns: [String], rows: [[String]], rightAligned: [Bool] = []) -> String {
        let rows = rows.map { row in columns.indices.map { $0 < row.count ? row[$0] : "" } }
        let header = columns.map { lines(of: $0) }
        let body = rows.map { $0.map { lines(of: $0) } }
        let widths = columns.indices.map { column in
            ([header[column]] + body.map { $0[column] }).flatMap { $0 }.map(\.count).max() ?? 0
        }
        let border = "+" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "+") + "+\n"

        func format(_ row: [[String]]) -> String {
            let height = row.map(\.count).max() ?? 1
            var text = ""
            for line in 0..<height {
                text += "|"
                for (column, cell) in row.enumerated() {
                    let value = line < cell.count ? cell[line] : ""
                    let padding = String(repeating: " ", count: widths[column] - value.count)
                    let right = column < rightAligned.count && rightAligned[column]
                    text += " " + (right ? padding + value : value + padding) + " |"
                }
                text += "\n"
            }
            return text
        }

        return border + format(header) + border + body.map(format).joined() + border
    }

    /// The lines of a cell; an empty cell is one empty line.
    private static func lines(of cell: String) -> [String] {
        cell.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
}
