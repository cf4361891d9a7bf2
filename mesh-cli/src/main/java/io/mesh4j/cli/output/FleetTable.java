package io.mesh4j.cli.output;

import io.mesh4j.cli.sync.InstanceReport;
import io.mesh4j.cli.xds.XdsType;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The fleet table, one row per instance, istioctl's columns: {@code NAME CLUSTER CDS LDS EDS RDS [ECDS] CONTROL
 * PLANE VERSION}, plus the {@code INSTANCE} address asked. Cells are cut to a width that keeps rows on a line; an
 * instance that could not be read, or whose control plane did not answer, gets a note under the table saying why.
 */
public final class FleetTable {
  /** NACK errors run long; the detail view and JSON carry them whole. */
  static final int CELL_WIDTH = 72;

  private FleetTable() {}

  public static void print(List<InstanceReport> reports, PrintStream out) {
    boolean ecds = reports.stream().anyMatch(r -> r.has(XdsType.ECDS));
    List<String> header = new ArrayList<>(List.of("NAME", "INSTANCE", "CLUSTER", "CDS", "LDS", "EDS", "RDS"));
    if (ecds) {
      header.add("ECDS");
    }
    header.addAll(List.of("CONTROL PLANE", "VERSION"));
    TextTable table = new TextTable(header);
    List<String> notes = new ArrayList<>();
    for (InstanceReport report : reports) {
      List<String> row = new ArrayList<>(List.of(report.name(), report.address(), report.cluster()));
      Map<XdsType, String> columns = report.columns();
      for (XdsType type : XdsType.values()) {
        if (type != XdsType.ECDS || ecds) {
          row.add(report.reachable()
              ? TextTable.cut(columns.getOrDefault(type, "NOT SENT"), CELL_WIDTH) : "UNREACHABLE");
        }
      }
      row.add(report.controlPlane() == null ? "-" : report.controlPlane());
      row.add(report.libraryVersion());
      table.add(row);
      String noted = report.givenName() == null ? report.address()
          : report.givenName() + " (" + report.address() + ")";
      if (!report.reachable()) {
        notes.add(noted + ": " + report.readError());
      } else if (report.current().error() != null) {
        notes.add(noted + ": " + report.current().error());
      }
    }
    table.print(out);
    if (!notes.isEmpty()) {
      out.println();
      notes.forEach(out::println);
    }
  }
}
