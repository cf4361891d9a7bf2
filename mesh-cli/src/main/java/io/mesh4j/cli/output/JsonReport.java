package io.mesh4j.cli.output;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.mesh4j.cli.instance.InstanceResource;
import io.mesh4j.cli.sync.InstanceReport;
import io.mesh4j.cli.sync.ResourceSync;
import io.mesh4j.cli.xds.XdsType;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * {@code -o json}: the fleet as an array, one object per instance with the table's columns (each with its state and
 * text), and every resource with both versions, the verdict and the error whole.
 */
public final class JsonReport {
  private JsonReport() {}

  public static void print(List<InstanceReport> reports, PrintStream out) {
    JsonArray array = new JsonArray();
    reports.forEach(r -> array.add(instance(r)));
    out.println(write(array));
  }

  public static void printOne(InstanceReport report, PrintStream out) {
    out.println(write(instance(report)));
  }

  private static String write(JsonElement json) {
    return new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create().toJson(json);
  }

  static JsonObject instance(InstanceReport report) {
    JsonObject json = new JsonObject();
    json.addProperty("name", report.name());
    json.addProperty("instance", report.address());
    json.addProperty("reachable", report.reachable());
    json.addProperty("error", report.reachable() ? report.current().error() : report.readError());
    if (!report.reachable()) {
      return json;
    }
    json.addProperty("cluster", report.cluster());
    json.addProperty("controlPlane", report.controlPlane());
    json.addProperty("version", report.libraryVersion());
    json.addProperty("readVia", report.status().readVia());
    JsonObject columns = new JsonObject();
    for (Map.Entry<XdsType, String> column : report.columns().entrySet()) {
      JsonObject cell = new JsonObject();
      cell.addProperty("state", report.column(column.getKey()).map(r -> r.state().name()).orElse("NOT_SENT"));
      cell.addProperty("text", column.getValue());
      columns.add(column.getKey().name(), cell);
    }
    json.add("columns", columns);
    JsonArray resources = new JsonArray();
    for (ResourceSync sync : report.resources()) {
      InstanceResource resource = sync.resource();
      JsonObject r = new JsonObject();
      r.addProperty("type", XdsType.shortName(resource.typeUrl()));
      r.addProperty("typeUrl", resource.typeUrl());
      r.addProperty("name", resource.name());
      r.addProperty("version", resource.version());
      r.addProperty("currentVersion", sync.current() == null || !sync.current().exists()
          ? null : sync.current().version());
      r.addProperty("currentExists", sync.current() == null ? null : sync.current().exists());
      r.addProperty("clientStatus", resource.state().name());
      r.addProperty("state", sync.state().name());
      r.addProperty("text", sync.text());
      r.addProperty("errorDetail", resource.errorDetail());
      r.addProperty("rejectedVersion", resource.rejectedVersion());
      r.addProperty("lastUpdated", resource.lastUpdated() == null ? null : resource.lastUpdated().toString());
      resources.add(r);
    }
    json.add("resources", resources);
    List<String> ignored = report.status().ignoredFields();
    if (ignored == null) {
      json.add("ignoredFields", null);
    } else {
      JsonArray fields = new JsonArray();
      ignored.forEach(fields::add);
      json.add("ignoredFields", fields);
    }
    return json;
  }
}
