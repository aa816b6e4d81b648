import StratusCore

/// One dynamic pollster read from a YAML file of `polling.pollsters_definitions_dirs`
/// (Ceilometer's dynamic pollsters, reference B5): which URL to ask, where the entries and their
/// values are in the JSON answer, and how each entry becomes a sample.
public struct DynamicPollsterDefinition: Sendable {
    /// How the response body is read (`response_handlers`).
    public enum ResponseHandler: String, Sendable, Hashable, CaseIterable {
        /// A JSON document (the default).
        case json
        /// Plain text, read as one entry `{"out": <text>}`.
        case text
    }

    /// The meter name (`name`).
    public var name: String
    /// `sample_type`.
    public var sampleType: SampleType
    /// `unit`.
    public var unit: String
    /// A multi-metric pollster (`name: "x.{category}"`, `value_attribute: "[list].field"`):
    /// each entry holds a list whose items each give a sample named after their attribute.
    struct MultiMetric: Sendable {
        /// The attribute naming each item's meter (`category`), the `{…}` of the name.
        var nameAttribute: String
        /// The list in each entry (`list` of `[list].field`).
        var listKey: String
        /// The value in each item (`field`).
        var valuePath: AttributePath
    }

    /// `value_attribute`: where the value is in each entry.
    var valueAttribute: AttributePath
    /// Set for a multi-metric pollster.
    var multiMetric: MultiMetric?
    /// `endpoint_type`: the Keystone service type whose endpoints are the base URLs; nil for a
    /// pollster whose `url_path` is a full URL.
    public var endpointType: String?
    /// `url_path`: a path joined to each endpoint, or a full URL.
    public var urlPath: String
    /// `response_entries_key`: where the list of entries is; nil for the whole response when it
    /// is a list, else its first key.
    var responseEntriesKey: AttributePath?
    /// `metadata_fields`: paths copied into the sample's metadata, keyed by the path as written.
    var metadataFields: [AttributePath]
    /// `metadata_mapping`: metadata keys renamed (or copied, see ``preserveMappedMetadata``).
    public var metadataMapping: [String: String]
    /// `preserve_mapped_metadata` (default true): keep the original key of a mapped field.
    public var preserveMappedMetadata: Bool
    /// `value_mapping`: values replaced by others (`ACTIVE` → 1); empty for none.
    var valueMapping: [(from: JSONNode, to: JSONNode)]
    /// `default_value` (default -1): the value of an entry whose value `value_mapping` lacks.
    var defaultValue: JSONNode
    /// `skip_sample_values`: entries with these values give no sample.
    var skipSampleValues: [JSONNode]
    /// `user_id_attribute` (default `user_id`).
    var userIDAttribute: AttributePath
    /// `project_id_attribute` (default `project_id`).
    var projectIDAttribute: AttributePath
    /// `resource_id_attribute` (default `id`).
    var resourceIDAttribute: AttributePath
    /// `headers`: extra HTTP request headers.
    public var headers: [String: String]
    /// `timeout` in seconds (default 30).
    public var timeout: Double
    /// `next_sample_url_attribute`: where the next page's URL is in a response; nil for no
    /// pagination.
    var nextSampleURLAttribute: AttributePath?
    /// `namespaces` (default `central`).
    public var namespaces: Set<String>
    /// `response_handlers` (default `json`), tried in order.
    public var responseHandlers: [ResponseHandler]
    /// The file the definition comes from.
    public var file: String
    /// The 1-based line where the definition starts.
    public var line: Int

    /// The discovery a source without `resources` or `discovery` uses: `endpoint:<type>`, or
    /// nil for a full-URL pollster, which polls its URL.
    public var defaultDiscovery: String? { endpointType.map { "endpoint:\($0)" } }

    /// Where the definition comes from, `file:line`.
    public var location: String { "\(file):\(line)" }
}
