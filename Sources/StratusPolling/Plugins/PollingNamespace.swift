/// The polling namespaces of Ceilometer's entry points (`ceilometer.poll.<namespace>`).
public enum PollingNamespace {
    /// Instances on a compute host.
    public static let compute = "compute"
    /// Services reached over HTTP, and the host.
    public static let central = "central"
    /// Hardware sensors.
    public static let ipmi = "ipmi"
    /// Every namespace an agent may be started with.
    public static let all: Set<String> = [compute, central, ipmi]
    /// The namespaces used when `--polling-namespaces` is not given (as Ceilometer).
    public static let defaults = [compute, central]
}
