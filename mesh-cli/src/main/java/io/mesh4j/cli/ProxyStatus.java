package io.mesh4j.cli;

import io.mesh4j.ResourceStatus;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code meshctl proxy-status}: for each instance, what {@code istioctl proxy-status} prints for a sidecar, learned
 * from the instance's admin endpoint and from the control plane itself (as an xDS client with the instance's node).
 */
final class ProxyStatus {
  /** The columns, in istioctl's order, and the type URL each stands for. */
  static final Map<String, String> COLUMNS = new LinkedHashMap<>();

  static {
    COLUMNS.put("CDS", "type.googleapis.com/envoy.config.cluster.v3.Cluster");
    COLUMNS.put("LDS", "type.googleapis.com/envoy.config.listener.v3.Listener");
    COLUMNS.put("EDS", "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment");
    COLUMNS.put("RDS", "type.googleapis.com/envoy.config.route.v3.RouteConfiguration");
  }

  /** One instance's row; {@code error} set when it could not be read (then the columns are empty). */
  record Row(String name, String cluster, Map<String, String> columns, String controlPlane, String version,
      String error) {}

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
  private final String controlPlane;
  private final Duration wait;

  ProxyStatus(String controlPlane, Duration wait) {
    this.controlPlane = controlPlane;
    this.wait = wait;
  }

  Row row(String address) throws InterruptedException {
    InstanceState instance = InstanceState.fetch(http, address);
    if (instance.error() != null) {
      return new Row(address, "-", Map.of(), controlPlane, "-", instance.error());
    }
    Map<String, ResourceStatus> current;
    try {
      current = ControlPlaneView.current(controlPlane, instance, wait);
    } catch (RuntimeException e) {
      return new Row(name(instance), instance.node().getCluster(), Map.of(), controlPlane, version(instance),
          "control plane " + controlPlane + ": " + e.getMessage());
    }
    Map<String, String> columns = new LinkedHashMap<>();
    COLUMNS.forEach((column, typeUrl) -> columns.put(column, SyncState.of(
        instance.resources().stream().filter(r -> typeUrl.equals(r.typeUrl())).toList(), current)));
    return new Row(name(instance), instance.node().getCluster(), columns,
        instance.controlPlane() == null ? controlPlane : instance.controlPlane(), version(instance), null);
  }

  /** Per resource: the instance's version and state against the control plane's, with the NACK error. */
  List<String> detail(String address) throws InterruptedException {
    InstanceState instance = InstanceState.fetch(http, address);
    List<String> lines = new ArrayList<>();
    if (instance.error() != null) {
      lines.add(address + ": " + instance.error());
      return lines;
    }
    Map<String, ResourceStatus> current = ControlPlaneView.current(controlPlane, instance, wait);
    lines.add(name(instance) + " (" + address + "), control plane " + controlPlane + ", " + version(instance));
    lines.add(String.format(Locale.ROOT, "%-5s %-50s %-12s %-12s %s", "TYPE", "NAME", "INSTANCE", "CURRENT",
        "STATE"));
    for (InstanceState.Resource r : instance.resources()) {
      String type = COLUMNS.entrySet().stream().filter(e -> e.getValue().equals(r.typeUrl())).map(Map.Entry::getKey)
          .findFirst().orElse(r.typeUrl().substring(r.typeUrl().lastIndexOf('.') + 1));
      ResourceStatus now = current.get(ControlPlaneView.key(r.typeUrl(), r.name()));
      String state = SyncState.of(List.of(r), current);
      lines.add(String.format(Locale.ROOT, "%-5s %-50s %-12s %-12s %s", type, r.name(), dash(r.version()),
          now == null ? "?" : dash(now.version()), state));
    }
    return lines;
  }

  static void printTable(List<Row> rows, PrintStream out) {
    List<String[]> cells = new ArrayList<>();
    List<String> header = new ArrayList<>(List.of("NAME", "CLUSTER"));
    header.addAll(COLUMNS.keySet());
    header.addAll(List.of("CONTROL PLANE", "VERSION"));
    cells.add(header.toArray(String[]::new));
    for (Row row : rows) {
      List<String> line = new ArrayList<>(List.of(row.name(), row.cluster()));
      for (String column : COLUMNS.keySet()) {
        line.add(row.error() != null ? (column.equals("CDS") ? "ERROR (" + row.error() + ")" : "")
            : row.columns().get(column));
      }
      line.add(row.controlPlane());
      line.add(row.version());
      cells.add(line.toArray(String[]::new));
    }
    int[] widths = new int[header.size()];
    for (String[] line : cells) {
      for (int i = 0; i < line.length; i++) {
        widths[i] = Math.max(widths[i], line[i].length());
      }
    }
    for (String[] line : cells) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < line.length; i++) {
        text.append(i == line.length - 1 ? line[i] : pad(line[i], widths[i] + 3));
      }
      out.println(text.toString().stripTrailing());
    }
  }

  static void printJson(List<Row> rows, PrintStream out) {
    StringBuilder json = new StringBuilder("[");
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      json.append(i == 0 ? "\n  {" : ",\n  {").append("\"name\": ").append(quote(row.name()))
          .append(", \"cluster\": ").append(quote(row.cluster()));
      for (Map.Entry<String, String> column : row.columns().entrySet()) {
        json.append(", \"").append(column.getKey().toLowerCase(Locale.ROOT)).append("\": ")
            .append(quote(column.getValue()));
      }
      json.append(", \"controlPlane\": ").append(quote(row.controlPlane())).append(", \"version\": ")
          .append(quote(row.version())).append(", \"error\": ").append(row.error() == null ? "null"
              : quote(row.error())).append('}');
    }
    out.println(json.append(rows.isEmpty() ? "]" : "\n]"));
  }

  private static String name(InstanceState instance) {
    return instance.node().getId().isEmpty() ? instance.address() : instance.node().getId();
  }

  private static String version(InstanceState instance) {
    String agent = instance.node().getUserAgentName();
    return agent.isEmpty() ? "-" : agent + " " + instance.node().getUserAgentVersion();
  }

  private static String dash(String value) {
    return value == null || value.isEmpty() ? "-" : value;
  }

  private static String pad(String value, int width) {
    return value.length() >= width ? value : value + " ".repeat(width - value.length());
  }

  private static String quote(String value) {
    if (value == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder("\"");
    for (char c : value.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        default -> {
          if (c < 0x20) {
            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
