package io.mesh4j.runtime.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.runtime.cluster.EndpointLease;
import io.mesh4j.runtime.xds.resource.LbEndpoint;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.ResponseBody;
import org.junit.jupiter.api.Test;

class LeaseReleasingBodyTest {
  private final AtomicInteger releases = new AtomicInteger();
  private final EndpointLease lease = new EndpointLease() {
    @Override
    public LbEndpoint endpoint() {
      return new LbEndpoint("127.0.0.1", 1, 1, true);
    }

    @Override
    public void release() {
      releases.incrementAndGet();
    }

    @Override
    public void connectFailed() {}
  };

  private ResponseBody body() {
    return new LeaseReleasingBody(ResponseBody.create("hello", null), new LeaseReleasingBody.ReleaseOnce(lease));
  }

  @Test
  void readingToTheEndReleasesOnceEvenWhenClosedAfterwards() throws IOException {
    ResponseBody body = body();
    assertThat(releases).hasValue(0);
    assertThat(body.string()).isEqualTo("hello"); // string() reads to the end and closes
    body.close();
    assertThat(releases).hasValue(1);
  }

  @Test
  void closingUnreadReleases() {
    ResponseBody body = body();
    body.close();
    assertThat(releases).hasValue(1);
  }

  @Test
  void aPartlyReadBodyStaysLeasedUntilClosed() throws IOException {
    ResponseBody body = body();
    body.source().readByte();
    assertThat(releases).hasValue(0);
    body.close();
    assertThat(releases).hasValue(1);
  }
}
