/// What the inspector and the discovery need from a domain's XML: its disks, vNICs, OS and the
/// nova metadata element.
public struct DomainDescription: Sendable, Hashable {
    /// A disk the disk meters measure: a `devices/disk` with a `source` and a `target@dev`.
    public struct Disk: Sendable, Hashable {
        /// The target device (`vda`), used in resource ids `<uuid>-<dev>`.
        public var device: String
        /// The disk `type` attribute (`file`, `block`, `network`, …).
        public var type: String?
    }

    /// A vNIC: a `devices/interface` with a `target@dev` and a `mac@address`.
    public struct Interface: Sendable, Hashable {
        /// The tap device (`tap1234-56`).
        public var name: String
        /// The MAC address.
        public var mac: String
        /// The nwfilter name (`filterref@filter`), when present.
        public var filterRef: String?
        /// The filter's parameters, names in lower case (`ip`, `dhcpserver`).
        public var parameters: [String: String]
    }

    /// The domain UUID (`<uuid>`).
    public var uuid: String?
    /// The domain name (`<name>`).
    public var name: String?
    /// `os/type` text (`hvm`).
    public var osType: String?
    /// `os/type@arch` (`x86_64`).
    public var architecture: String?
    /// Disks with a source, in document order.
    public var disks: [Disk]
    /// vNICs, in document order.
    public var interfaces: [Interface]
    /// The nova instance metadata, when the domain carries it.
    public var nova: NovaInstanceMetadata?

    /// Reads a domain XML document (`virDomainGetXMLDesc`).
    /// - Throws: ``XMLReadError`` when the XML is malformed or its root is not `<domain>`.
    public init(xml: String) throws(XMLReadError) {
        let root = try XMLReader.parse(xml)
        guard root.name == "domain" else { throw XMLReadError(offset: 0, reason: "root element is <\(root.name)>, not <domain>") }
        self.init(domain: root)
    }

    /// Reads a parsed `<domain>` element.
    public init(domain root: XMLElement) {
        uuid = root.child("uuid")?.text
        name = root.child("name")?.text
        let type = root.first("os/type")
        osType = type?.text
        architecture = type?.attributes["arch"]
        // Ceilometer: devices/disk whose target has a dev and which has a source (a cdrom without
        // media has none).
        disks = root.all("devices/disk").compactMap { disk in
            guard disk.child("source") != nil, let device = disk.child("target")?.attributes["dev"], !device.isEmpty
            else { return nil }
            return Disk(device: device, type: disk.attributes["type"])
        }
        interfaces = root.all("devices/interface").compactMap { interface in
            guard let name = interface.child("target")?.attributes["dev"], !name.isEmpty,
                  let mac = interface.child("mac")?.attributes["address"] else { return nil }
            let filter = interface.child("filterref")
            var parameters = [String: String]()
            for parameter in filter?.children("parameter") ?? [] {
                if let key = parameter.attributes["name"] {
                    parameters[key.lowercased()] = parameter.attributes["value"] ?? ""
                }
            }
            return Interface(name: name, mac: mac, filterRef: filter?.attributes["filter"], parameters: parameters)
        }
        nova = root.child("metadata")?.descendant("instance", namespace: NovaInstanceMetadata.namespace)
            .map(NovaInstanceMetadata.init(element:))
    }
}

/// The `<nova:instance>` metadata element nova writes into every domain it creates.
public struct NovaInstanceMetadata: Sendable, Hashable {
    /// The element's namespace.
    public static let namespace = "http://openstack.org/xmlns/libvirt/nova/1.1"

    /// The flavor as nova records it.
    public struct Flavor: Sendable, Hashable {
        public var name: String?
        public var id: String?
        /// MiB.
        public var memory: Int?
        /// GiB.
        public var disk: Int?
        /// MiB.
        public var swap: Int?
        /// GiB.
        public var ephemeral: Int?
        public var vcpus: Int?
    }

    /// The display name (`nova:name`).
    public var name: String?
    /// The flavor, when present.
    public var flavor: Flavor?
    /// The owner's user id (`nova:owner/nova:user@uuid`).
    public var userID: String?
    /// The owner's user name.
    public var userName: String?
    /// The owning project id (`nova:owner/nova:project@uuid`).
    public var projectID: String?
    /// The owning project name.
    public var projectName: String?
    /// The image id when the root disk is an image (`nova:root@type='image'`).
    public var imageID: String?

    /// Reads a `<nova:instance>` element.
    public init(element: XMLElement) {
        name = element.child("name")?.text
        if let flavor = element.child("flavor") {
            func int(_ name: String) -> Int? { flavor.child(name).flatMap { Int($0.text) } }
            self.flavor = Flavor(
                name: flavor.attributes["name"], id: flavor.attributes["id"], memory: int("memory"), disk: int("disk"),
                swap: int("swap"), ephemeral: int("ephemeral"), vcpus: int("vcpus"))
        }
        let owner = element.child("owner")
        userID = owner?.child("user")?.attributes["uuid"]
        userName = owner?.child("user")?.text
        projectID = owner?.child("project")?.attributes["uuid"]
        projectName = owner?.child("project")?.text
        if let root = element.child("root"), root.attributes["type"] == "image" {
            imageID = root.attributes["uuid"]
        }
    }

    /// Reads the metadata text `virDomainGetMetadata` returns.
    /// - Throws: ``XMLReadError`` when it is malformed.
    public init(xml: String) throws(XMLReadError) {
        self.init(element: try XMLReader.parse(xml))
    }
}
