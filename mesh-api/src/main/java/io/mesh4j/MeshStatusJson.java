package io.mesh4j;

import java.util.List;

/**
 * {@link MeshStatus} as JSON, for admin endpoints and logs:
 *
 * <pre>{@code
 * {"controlPlane":"istiod:15010","connected":true,
 *  "resources":[{"typeUrl":"type.googleapis.com/envoy.config.listener.v3.Listener","name":"catalog:8080",
 *                "version":"7","lastUpdated":"2026-01-01T10:00:00Z","state":"ACKED","errorDetail":null,
 *                "source":"istiod:15010"}],
 *  "ignoredFields":["..."]}
 * }</pre>
 *
 * The field names and states are those of the record and of CSDS ({@code REQUESTED}, {@code DOES_NOT_EXIST},
 * {@code ACKED}, {@code NACKED}, and {@code CACHED}); {@code lastUpdated} is ISO-8601 UTC or {@code null} (for a
 * {@code CACHED} resource, when the control plane sent it: its age); {@code source} is the server it came from.
 * Written by hand so that mesh-api needs no JSON library.
 */
public final class MeshStatusJson {
  private MeshStatusJson() {}

  public static String format(MeshStatus status) {
    StringBuilder out = new StringBuilder(256 + 256 * status.resources().size());
    out.append("{\"controlPlane\":");
    string(out, status.controlPlane());
    out.append(",\"connected\":").append(status.connected()).append(",\"resources\":[");
    List<ResourceStatus> resources = status.resources();
    for (int i = 0; i < resources.size(); i++) {
      ResourceStatus r = resources.get(i);
      if (i > 0) {
        out.append(',');
      }
      out.append("{\"typeUrl\":");
      string(out, r.typeUrl());
      out.append(",\"name\":");
      string(out, r.name());
      out.append(",\"version\":");
      string(out, r.version());
      out.append(",\"lastUpdated\":");
      string(out, r.lastUpdated() == null ? null : r.lastUpdated().toString());
      out.append(",\"state\":");
      string(out, r.state() == null ? null : r.state().name());
      out.append(",\"errorDetail\":");
      string(out, r.errorDetail());
      out.append(",\"source\":");
      string(out, r.source());
      out.append('}');
    }
    out.append("],\"ignoredFields\":[");
    List<String> ignored = status.ignoredFields();
    for (int i = 0; i < ignored.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      string(out, ignored.get(i));
    }
    return out.append("]}").toString();
  }

  /** A JSON string literal (RFC 8259 escapes), or {@code null}. */
  private static void string(StringBuilder out, String value) {
    if (value == null) {
      out.append("null");
      return;
    }
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"':
          out.append("\\\"");
          break;
        case '\\':
          out.append("\\\\");
          break;
        case '\n':
          out.append("\\n");
          break;
        case '\r':
          out.append("\\r");
          break;
        case '\t':
          out.append("\\t");
          break;
        default:
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
      }
    }
    out.append('"');
  }
}
