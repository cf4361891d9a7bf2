package io.mesh4j.cli.sync;

import io.mesh4j.cli.current.ControlPlaneSubscriber;
import io.mesh4j.cli.current.CurrentConfig;
import io.mesh4j.cli.current.ResourceKey;
import io.mesh4j.cli.instance.InstanceReadException;
import io.mesh4j.cli.instance.InstanceReader;
import io.mesh4j.cli.instance.InstanceResource;
import io.mesh4j.cli.instance.InstanceStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * proxy-status for a fleet: reads each instance, asks the control plane what it serves that instance's node now
 * (same node, same names), and compares them resource by resource.
 */
public final class FleetStatus {
  /** Instances read at once: enough for a fleet, few enough for the control plane. */
  private static final int PARALLELISM = 8;

  private final InstanceReader reader;
  private final ControlPlaneSubscriber controlPlane;

  public FleetStatus(InstanceReader reader, ControlPlaneSubscriber controlPlane) {
    this.reader = reader;
    this.controlPlane = controlPlane;
  }

  /** One instance's report; an instance that cannot be read is a report saying why, not an exception. */
  public InstanceReport check(String address) throws InterruptedException {
    InstanceStatus status;
    try {
      status = reader.read(address);
    } catch (InstanceReadException e) {
      return InstanceReport.unreachable(address, e.getMessage());
    }
    Map<String, Set<String>> names = new LinkedHashMap<>();
    for (InstanceResource resource : status.resources()) {
      names.computeIfAbsent(resource.typeUrl(), t -> new LinkedHashSet<>()).add(resource.name());
    }
    CurrentConfig current = controlPlane.fetch(status.node(), names);
    List<ResourceSync> resources = new ArrayList<>();
    for (InstanceResource resource : status.resources()) {
      resources.add(ResourceSync.of(resource, current.get(new ResourceKey(resource.typeUrl(), resource.name()))));
    }
    return new InstanceReport(address, status, null, current, InstanceReport.ordered(resources));
  }

  /** Every instance's report, in the order asked; instances are read in parallel. */
  public List<InstanceReport> checkAll(List<String> addresses) throws InterruptedException {
    if (addresses.size() == 1) {
      return List.of(check(addresses.get(0)));
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(PARALLELISM, addresses.size()), r -> {
      Thread t = new Thread(r, "meshctl-read");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<InstanceReport>> reports = new ArrayList<>();
      for (String address : addresses) {
        reports.add(pool.submit(() -> check(address)));
      }
      List<InstanceReport> out = new ArrayList<>();
      for (int i = 0; i < addresses.size(); i++) {
        try {
          out.add(reports.get(i).get());
        } catch (ExecutionException e) {
          out.add(InstanceReport.unreachable(addresses.get(i), String.valueOf(e.getCause())));
        }
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }
}
