package io.mesh4j.spring.actuate;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.health.actuate.endpoint.AdditionalHealthEndpointPath;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.actuate.endpoint.HttpCodeStatusMapper;
import org.springframework.boot.health.actuate.endpoint.StatusAggregator;

/**
 * Adds the {@code mesh} health contributor to the {@code readiness} group, wherever that group comes from (Boot's
 * availability probes or the application's own {@code management.endpoint.health.group.readiness}), so Kubernetes
 * holds traffic until the mesh is ready. Registered after Boot's probes post-processor, which creates the group.
 */
final class MeshReadinessGroup implements HealthEndpointGroupsPostProcessor {
  static final String GROUP = "readiness";
  static final String CONTRIBUTOR = "mesh";

  @Override
  public HealthEndpointGroups postProcessHealthEndpointGroups(HealthEndpointGroups groups) {
    HealthEndpointGroup readiness = groups.get(GROUP);
    if (readiness == null || readiness.isMember(CONTRIBUTOR)) {
      return groups;
    }
    Map<String, HealthEndpointGroup> additional = new LinkedHashMap<>();
    for (String name : groups.getNames()) {
      additional.put(name, name.equals(GROUP) ? new WithMesh(readiness) : groups.get(name));
    }
    return HealthEndpointGroups.of(groups.getPrimary(), additional);
  }

  /** The readiness group as it was, with {@code mesh} a member too. */
  private record WithMesh(HealthEndpointGroup group) implements HealthEndpointGroup {
    @Override
    public boolean isMember(String name) {
      return CONTRIBUTOR.equals(name) || group.isMember(name);
    }

    @Override
    public boolean showComponents(SecurityContext securityContext) {
      return group.showComponents(securityContext);
    }

    @Override
    public boolean showDetails(SecurityContext securityContext) {
      return group.showDetails(securityContext);
    }

    @Override
    public StatusAggregator getStatusAggregator() {
      return group.getStatusAggregator();
    }

    @Override
    public HttpCodeStatusMapper getHttpCodeStatusMapper() {
      return group.getHttpCodeStatusMapper();
    }

    @Override
    public AdditionalHealthEndpointPath getAdditionalPath() {
      return group.getAdditionalPath();
    }
  }
}
