@testable import StratusCompute
import Testing

@Suite struct XMLReaderTests {
    @Test func readsElementsAttributesTextAndNamespaces() throws {
        let root = try XMLReader.parse("""
            <?xml version="1.0"?>
            <!-- a comment -->
            <domain type='kvm' xmlns:nova="http://openstack.org/xmlns/libvirt/nova/1.1">
              <name>vm &amp; co &#x41;&#66;</name>
              <metadata><nova:instance><nova:name>web</nova:name></nova:instance></metadata>
              <devices><disk type="file"><source file="/a&lt;b"/><target dev="vda"/></disk><![CDATA[<raw>]]></devices>
            </domain>
            """)
        #expect(root.name == "domain")
        #expect(root.attributes == ["type": "kvm"])
        #expect(root.child("name")?.text == "vm & co AB")
        let instance = try #require(root.first("metadata/instance"))
        #expect(instance.namespace == "http://openstack.org/xmlns/libvirt/nova/1.1")
        #expect(instance.child("name")?.text == "web")
        #expect(root.first("devices/disk/source")?.attributes["file"] == "/a<b")
        #expect(root.child("devices")?.text == "<raw>")
        #expect(root.all("devices/disk/target").map { $0.attributes["dev"] } == ["vda"])
    }

    @Test(arguments: [
        "", "<a>", "<a></b>", "<a x=1/>", "<a x='1' x='2'/>", "<a/><b/>", "text<a/>", "<a>&bogus;</a>",
        "<!DOCTYPE a><a/>", "<p:a/>", "<a x='1'y='2'/>",
    ])
    func rejectsMalformedDocuments(_ text: String) {
        #expect(throws: XMLReadError.self) { try XMLReader.parse(text) }
    }

    @Test func domainDescriptionKeepsDisksWithSourceAndInterfacesWithTarget() throws {
        let description = try DomainDescription(xml: """
            <domain><name>d</name><uuid>u</uuid><os><type arch="x86_64">hvm</type></os><devices>
              <disk type="file" device="disk"><source file="/x"/><target dev="vda"/></disk>
              <disk type="file" device="cdrom"><target dev="hdc"/></disk>
              <disk type="network" device="disk"><source protocol="rbd" name="p/x"/><target dev="vdb"/></disk>
              <interface type="bridge"><mac address="fa:16:3e:00:00:01"/><target dev="tap1"/>
                <filterref filter="f1"><parameter name="IP" value="10.0.0.1"/></filterref></interface>
              <interface type="bridge"><mac address="fa:16:3e:00:00:02"/></interface>
            </devices></domain>
            """)
        #expect(description.name == "d")
        #expect(description.osType == "hvm")
        #expect(description.architecture == "x86_64")
        #expect(description.disks.map(\.device) == ["vda", "vdb"])
        #expect(description.disks.map(\.type) == ["file", "network"])
        #expect(description.interfaces.count == 1)
        #expect(description.interfaces[0].name == "tap1")
        #expect(description.interfaces[0].filterRef == "f1")
        #expect(description.interfaces[0].parameters == ["ip": "10.0.0.1"])
        #expect(description.nova == nil)
    }

    @Test func domainDescriptionRejectsOtherRoots() {
        #expect(throws: XMLReadError.self) { try DomainDescription(xml: "<network/>") }
    }
}
