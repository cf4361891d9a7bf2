package io.mesh4j.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code meshctl}: tools for a fleet of mesh4j workloads. The entry point of {@code meshctl.jar}. */
@Command(name = "meshctl", mixinStandardHelpOptions = true, versionProvider = MeshCtl.Version.class,
    description = "Tools for a fleet of mesh4j (proxyless xDS) workloads.",
    subcommands = {ProxyStatusCommand.class, CommandLine.HelpCommand.class})
public final class MeshCtl {

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs {@code args}, writing to {@code out} and {@code err}; returns the exit code (2 for a usage error). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    CommandLine line = new CommandLine(new MeshCtl(), new CommandFactory(out, err));
    line.setOut(new PrintWriter(out, true));
    line.setErr(new PrintWriter(err, true));
    line.setCaseInsensitiveEnumValuesAllowed(true);
    line.registerConverter(java.time.Duration.class, DurationFlag::parse);
    // A failure that is not a usage error (an unreadable CA file, say) is one line, not a stack trace.
    line.setExecutionExceptionHandler((e, command, parsed) -> {
      command.getErr().println("meshctl: " + e.getMessage());
      return 1;
    });
    return line.execute(args);
  }

  /** meshctl's own version, from its jar's manifest. */
  static String version() {
    String version = MeshCtl.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"meshctl " + version()};
    }
  }

  /** Gives commands the streams the caller chose, so that tests read what a user would see. */
  private static final class CommandFactory implements CommandLine.IFactory {
    private final PrintStream out;
    private final PrintStream err;

    CommandFactory(PrintStream out, PrintStream err) {
      this.out = out;
      this.err = err;
    }

    @Override
    public <K> K create(Class<K> type) throws Exception {
      if (type == ProxyStatusCommand.class) {
        return type.cast(new ProxyStatusCommand(out, err));
      }
      return CommandLine.defaultFactory().create(type);
    }
  }
}
