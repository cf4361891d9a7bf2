package io.mesh4j.spring.actuate;

import io.mesh4j.MeshStatus;
import io.mesh4j.ResourceStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@link MeshStatus} as plain maps and lists, which every JSON mapper the application may use writes the same way. */
final class MeshStatusView {
  private MeshStatusView() {}

  static Map<String, Object> of(MeshStatus status) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("controlPlane", status.controlPlane());
    view.put("connected", status.connected());
    List<Map<String, Object>> resources = new ArrayList<>();
    for (ResourceStatus resource : status.resources()) {
      resources.add(resource(resource));
    }
    view.put("resources", resources);
    view.put("ignoredFields", status.ignoredFields());
    return view;
  }

  static Map<String, Object> resource(ResourceStatus resource) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("type", shortType(resource.typeUrl()));
    view.put("typeUrl", resource.typeUrl());
    view.put("name", resource.name());
    view.put("version", resource.version());
    view.put("lastUpdated", resource.lastUpdated() == null ? null : resource.lastUpdated().toString());
    view.put("state", resource.state().name());
    if (resource.errorDetail() != null) {
      view.put("errorDetail", resource.errorDetail());
    }
    return view;
  }

  /** {@code type.googleapis.com/envoy.config.listener.v3.Listener} → {@code Listener}. */
  static String shortType(String typeUrl) {
    return typeUrl.substring(typeUrl.lastIndexOf('.') + 1);
  }
}
