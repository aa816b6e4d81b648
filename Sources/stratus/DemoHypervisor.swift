import Foundation

/// The hypervisor `stratus all-in-one` polls when `compute.libvirt_uri` is not configured:
/// libvirt's built-in test driver on a node file with nova instances (the same node the compute
/// tests use), written under the data directory.
enum DemoHypervisor {
    /// The node file's text.
    static let nodeXML = #"""
<?xml version="1.0"?>
<!-- Written by `stratus all-in-one`: a libvirt test-driver node (test:///THIS/FILE) with three nova
     instances (running, paused, shut off), so that a machine without a
     hypervisor still has instances to poll. Set compute.libvirt_uri to poll a real one. -->
<node>
  <cpu>
    <mhz>2400</mhz>
    <model>x86_64</model>
    <nodes>1</nodes>
    <sockets>1</sockets>
    <cores>4</cores>
    <threads>1</threads>
    <active>4</active>
  </cpu>
  <memory>16777216</memory>

  <domain type="test" xmlns:test="http://libvirt.org/schemas/domain/test/1.0">
    <name>instance-00000001</name>
    <uuid>6f1b2e3c-0a4d-4b5e-8f60-718293a4b5c6</uuid>
    <metadata>
      <nova:instance xmlns:nova="http://openstack.org/xmlns/libvirt/nova/1.1">
        <nova:package version="27.0.0"/>
        <nova:name>web-1</nova:name>
        <nova:creationTime>2026-11-01 09:00:00</nova:creationTime>
        <nova:flavor name="m1.small" id="2">
          <nova:memory>2048</nova:memory>
          <nova:disk>20</nova:disk>
          <nova:swap>0</nova:swap>
          <nova:ephemeral>5</nova:ephemeral>
          <nova:vcpus>2</nova:vcpus>
        </nova:flavor>
        <nova:owner>
          <nova:user uuid="0b8f4e0c2d3a4f5b9c1d2e3f4a5b6c7d">alice</nova:user>
          <nova:project uuid="9a8b7c6d5e4f40312f1e0d9c8b7a6f5e">webteam</nova:project>
        </nova:owner>
        <nova:root type="image" uuid="c0ffee00-1111-4222-8333-444455556666"/>
      </nova:instance>
    </metadata>
    <memory unit="KiB">2097152</memory>
    <currentMemory unit="KiB">2097152</currentMemory>
    <vcpu placement="static">2</vcpu>
    <os>
      <type arch="x86_64">hvm</type>
    </os>
    <devices>
      <disk type="file" device="disk">
        <source file="/var/lib/nova/instances/6f1b2e3c/disk"/>
        <target dev="vda" bus="virtio"/>
      </disk>
      <disk type="file" device="disk">
        <source file="/var/lib/nova/instances/6f1b2e3c/disk.eph0"/>
        <target dev="vdb" bus="virtio"/>
      </disk>
      <disk type="file" device="cdrom">
        <target dev="hdc" bus="ide"/>
        <readonly/>
      </disk>
      <interface type="bridge">
        <mac address="fa:16:3e:11:22:33"/>
        <source bridge="br-int"/>
        <target dev="tap11223344-55"/>
        <model type="virtio"/>
      </interface>
      <interface type="bridge">
        <mac address="fa:16:3e:44:55:66"/>
        <source bridge="br-int"/>
        <target dev="tap44556677-88"/>
        <model type="virtio"/>
        <filterref filter="nova-instance-instance-00000001-fa163e445566">
          <parameter name="IP" value="10.0.0.5"/>
          <parameter name="DHCPSERVER" value="10.0.0.1"/>
        </filterref>
      </interface>
      <memballoon model="virtio"/>
    </devices>
  </domain>

  <domain type="test" xmlns:test="http://libvirt.org/schemas/domain/test/1.0">
    <name>instance-00000002</name>
    <uuid>7a2c3d4e-1b5f-4c6a-9d70-8192a3b4c5d7</uuid>
    <metadata>
      <nova:instance xmlns:nova="http://openstack.org/xmlns/libvirt/nova/1.1">
        <nova:package version="27.0.0"/>
        <nova:name>db-1</nova:name>
        <nova:flavor name="m1.medium" id="3">
          <nova:memory>4096</nova:memory>
          <nova:disk>40</nova:disk>
          <nova:swap>0</nova:swap>
          <nova:ephemeral>0</nova:ephemeral>
          <nova:vcpus>1</nova:vcpus>
        </nova:flavor>
        <nova:owner>
          <nova:user uuid="1c9f5e1d3e4b4a6c8d2e3f4a5b6c7d8e">bob</nova:user>
          <nova:project uuid="8b9c0d1e2f3a40415f6e7d8c9b0a1f2e">dbteam</nova:project>
        </nova:owner>
        <nova:root type="volume"/>
      </nova:instance>
    </metadata>
    <memory unit="KiB">4194304</memory>
    <currentMemory unit="KiB">4194304</currentMemory>
    <vcpu placement="static">1</vcpu>
    <os>
      <type arch="x86_64">hvm</type>
    </os>
    <devices>
      <disk type="file" device="disk">
        <source file="/var/lib/nova/instances/7a2c3d4e/disk"/>
        <target dev="vda" bus="virtio"/>
      </disk>
      <interface type="bridge">
        <mac address="fa:16:3e:77:88:99"/>
        <source bridge="br-int"/>
        <target dev="tap77889900-aa"/>
        <model type="virtio"/>
      </interface>
      <memballoon model="virtio"/>
    </devices>
    <test:runstate>3</test:runstate>
  </domain>

  <domain type="test" xmlns:test="http://libvirt.org/schemas/domain/test/1.0">
    <name>instance-00000003</name>
    <uuid>8b3d4e5f-2c6a-4d7b-8e81-92a3b4c5d6e8</uuid>
    <metadata>
      <nova:instance xmlns:nova="http://openstack.org/xmlns/libvirt/nova/1.1">
        <nova:package version="27.0.0"/>
        <nova:name>batch-1</nova:name>
        <nova:flavor name="m1.tiny" id="1">
          <nova:memory>512</nova:memory>
          <nova:disk>1</nova:disk>
          <nova:swap>0</nova:swap>
          <nova:ephemeral>0</nova:ephemeral>
          <nova:vcpus>1</nova:vcpus>
        </nova:flavor>
        <nova:owner>
          <nova:user uuid="0b8f4e0c2d3a4f5b9c1d2e3f4a5b6c7d">alice</nova:user>
          <nova:project uuid="9a8b7c6d5e4f40312f1e0d9c8b7a6f5e">webteam</nova:project>
        </nova:owner>
        <nova:root type="image" uuid="c0ffee00-1111-4222-8333-444455556666"/>
      </nova:instance>
    </metadata>
    <memory unit="KiB">524288</memory>
    <currentMemory unit="KiB">524288</currentMemory>
    <vcpu placement="static">1</vcpu>
    <os>
      <type arch="x86_64">hvm</type>
    </os>
    <devices>
      <disk type="file" device="disk">
        <source file="/var/lib/nova/instances/8b3d4e5f/disk"/>
        <target dev="vda" bus="virtio"/>
      </disk>
      <interface type="bridge">
        <mac address="fa:16:3e:aa:bb:cc"/>
        <source bridge="br-int"/>
        <target dev="tapaabbccdd-ee"/>
        <model type="virtio"/>
      </interface>
      <memballoon model="virtio"/>
    </devices>
    <test:runstate>5</test:runstate>
  </domain>

</node>
"""#

    /// Writes the node file into `dataDirectory` (when missing) and returns its `test://` URI.
    static func libvirtURI(dataDirectory: String) throws -> String {
        let path = dataDirectory + "/libvirt-test-node.xml"
        if !FileManager.default.fileExists(atPath: path) {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
            try nodeXML.write(toFile: path, atomically: true, encoding: .utf8)
        }
        return "test://" + path
    }
}
