/// Prometheus text exposition format helpers shared by the agent's `/metrics` endpoints.
enum PrometheusText {
    /// A label value escaped for `name="value"`: backslash, double quote and line feed.
    static func labelValue(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}
