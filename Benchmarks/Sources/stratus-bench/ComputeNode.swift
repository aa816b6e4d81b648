/// A libvirt test-driver node file with `domains` nova instances, each with 2 disks, 2 vNICs (one
/// with a filterref), a balloon and nova metadata; every tenth domain paused.
enum ComputeNode {
    static func xml(domains: Int) -> String {
        var out = """
            <?xml version="1.0"?>
            <node>
              <cpu><mhz>2400</mhz><model>x86_64</model><nodes>1</nodes><sockets>1</sockets><cores>4</cores><threads>1</threads><active>4</active></cpu>
              <memory>1073741824</memory>

            """
        for index in 0..<domains {
            let hex = String(index, radix: 16)
            let suffix = String(repeating: "0", count: max(0, 12 - hex.count)) + hex
            let uuid = "00000000-0000-4000-8000-\(suffix)"
            let name = "instance-" + String(repeating: "0", count: max(0, 8 - hex.count)) + hex
            let mac = String(format2: index)
            out += """
                  <domain type="test" xmlns:test="http://libvirt.org/schemas/domain/test/1.0">
                    <name>\(name)</name>
                    <uuid>\(uuid)</uuid>
                    <metadata>
                      <nova:instance xmlns:nova="http://openstack.org/xmlns/libvirt/nova/1.1">
                        <nova:package version="27.0.0"/>
                        <nova:name>vm-\(index)</nova:name>
                        <nova:flavor name="m1.small" id="2"><nova:memory>2048</nova:memory><nova:disk>20</nova:disk><nova:swap>0</nova:swap><nova:ephemeral>5</nova:ephemeral><nova:vcpus>2</nova:vcpus></nova:flavor>
                        <nova:owner><nova:user uuid="user-\(index % 7)">user</nova:user><nova:project uuid="project-\(index % 5)">project</nova:project></nova:owner>
                        <nova:root type="image" uuid="c0ffee00-1111-4222-8333-444455556666"/>
                      </nova:instance>
                    </metadata>
                    <memory unit="KiB">2097152</memory>
                    <currentMemory unit="KiB">2097152</currentMemory>
                    <vcpu placement="static">2</vcpu>
                    <os><type arch="x86_64">hvm</type></os>
                    <devices>
                      <disk type="file" device="disk"><source file="/var/lib/nova/instances/\(uuid)/disk"/><target dev="vda" bus="virtio"/></disk>
                      <disk type="file" device="disk"><source file="/var/lib/nova/instances/\(uuid)/disk.eph0"/><target dev="vdb" bus="virtio"/></disk>
                      <interface type="bridge"><mac address="fa:16:3e:\(mac):01"/><source bridge="br-int"/><target dev="tap\(suffix)-a"/><model type="virtio"/></interface>
                      <interface type="bridge"><mac address="fa:16:3e:\(mac):02"/><source bridge="br-int"/><target dev="tap\(suffix)-b"/><model type="virtio"/>
                        <filterref filter="nova-instance-\(name)-b"><parameter name="IP" value="10.0.\(index / 250).\(index % 250 + 2)"/></filterref></interface>
                      <memballoon model="virtio"/>
                    </devices>
                \(index % 10 == 9 ? "    <test:runstate>3</test:runstate>\n" : "")  </domain>

                """
        }
        out += "</node>\n"
        return out
    }
}

extension String {
    /// `aa:bb` from the low 16 bits of `value`.
    fileprivate init(format2 value: Int) {
        func byte(_ b: Int) -> String {
            let hex = String(b & 0xff, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }
        self = byte(value >> 8) + ":" + byte(value)
    }
}
