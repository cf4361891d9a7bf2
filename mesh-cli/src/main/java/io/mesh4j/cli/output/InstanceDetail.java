package io.mesh4j.cli.output;

import io.mesh4j.cli.instance.InstanceResource;
import io.mesh4j.cli.sync.InstanceReport;
import io.mesh4j.cli.sync.ResourceSync;
import io.mesh4j.cli.xds.XdsType;
import java.io.PrintStream;
import java.util.List;

/**
 * One instance in detail: who it is, then every resource with its version, the current version and the verdict,
 * then each NACK's error text whole, then the fields it accepted without acting on them.
 */
public final class InstanceDetail {
  private InstanceDetail() {}

  public static void print(InstanceReport report, String comparedWith, PrintStream out) {
    out.println("Instance:       " + report.address()
        + (report.reachable() ? " (read over " + report.status().readVia() + ")" : ""));
    if (!report.reachable()) {
      out.println("Error:          " + report.readError());
      return;
    }
    out.println("Node:           " + report.name() + " (cluster " + report.cluster() + ")");
    out.println("Library:        " + report.libraryVersion());
    out.println("Control plane:  " + (report.controlPlane() == null ? "not reported" : report.controlPlane())
        + "; compared with " + comparedWith);
    if (report.current().error() != null) {
      out.println("Note:           " + report.current().error());
    }
    out.println();
    TextTable table = new TextTable(List.of("TYPE", "NAME", "THEIRS", "CURRENT", "CLIENT STATUS", "STATE"));
    for (ResourceSync sync : report.resources()) {
      InstanceResource resource = sync.resource();
      String current = sync.current() == null ? "?" : sync.current().exists() ? sync.current().version() : "absent";
      table.add(List.of(XdsType.shortName(resource.typeUrl()), resource.name(),
          resource.version().isEmpty() ? "-" : resource.version(), current, resource.state().name(),
          TextTable.cut(sync.text(), FleetTable.CELL_WIDTH)));
    }
    table.print(out);
    List<ResourceSync> nacked = report.resources().stream().filter(r -> r.resource().errorDetail() != null).toList();
    if (!nacked.isEmpty()) {
      out.println();
      out.println("Rejected updates:");
      for (ResourceSync sync : nacked) {
        InstanceResource resource = sync.resource();
        out.println("  " + XdsType.shortName(resource.typeUrl()) + " " + resource.name()
            + (resource.rejectedVersion() == null ? "" : " version " + resource.rejectedVersion())
            + ": " + resource.errorDetail());
      }
    }
    out.println();
    List<String> ignored = report.status().ignoredFields();
    if (ignored == null) {
      out.println("Ignored fields: not reported over " + report.status().readVia());
    } else if (ignored.isEmpty()) {
      out.println("Ignored fields: none");
    } else {
      out.println("Ignored fields:");
      ignored.forEach(field -> out.println("  " + field));
    }
  }
}
