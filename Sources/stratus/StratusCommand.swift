import ArgumentParser

/// `stratus`: one binary, one subcommand per role.
@main
struct StratusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stratus",
        abstract: "OpenStack telemetry (Ceilometer, Gnocchi, Aodh) in one Swift binary.",
        subcommands: [AllInOneCommand.self, ApiCommand.self, MetricdCommand.self, UpgradeCommand.self, ArchivePolicyCommand.self, ArchivePolicyRuleCommand.self, MetricCommand.self, MeasuresCommand.self, AlarmCommand.self, PollingCommand.self, NotificationCommand.self, PipelineCommand.self, EvaluatorCommand.self]
    )
}
