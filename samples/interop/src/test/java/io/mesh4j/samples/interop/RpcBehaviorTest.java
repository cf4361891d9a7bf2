package io.mesh4j.samples.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

class RpcBehaviorTest {

  @Test
  void readsEachBehaviorAcrossValuesAndCommas() {
    RpcBehavior b = RpcBehavior.parse(List.of("sleep-2, error-code-14", "keep-open"), "b0", 0);
    assertThat(b).isEqualTo(new RpcBehavior(2, true, Status.Code.UNAVAILABLE));
    assertThat(RpcBehavior.parse(null, "b0", 0)).isEqualTo(RpcBehavior.NONE);
  }

  @Test
  void hostnamePrefixAppliesOnlyOnThatServer() {
    List<String> header = List.of("hostname=b1 error-code-4");
    assertThat(RpcBehavior.parse(header, "b0", 0)).isEqualTo(RpcBehavior.NONE);
    assertThat(RpcBehavior.parse(header, "b1", 0).errorCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
  }

  @Test
  void succeedOnRetryAttemptWinsOnThatAttemptOnly() {
    List<String> header = List.of("succeed-on-retry-attempt-2,error-code-14");
    assertThat(RpcBehavior.parse(header, "b0", 0).errorCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(RpcBehavior.parse(header, "b0", 1).errorCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(RpcBehavior.parse(header, "b0", 2)).isEqualTo(RpcBehavior.NONE);
  }

  @Test
  void rejectsWhatItDoesNotKnow() {
    assertThatThrownBy(() -> RpcBehavior.parse(List.of("explode"), "b0", 0)).hasMessageContaining("explode");
    assertThatThrownBy(() -> RpcBehavior.parse(List.of("sleep-x"), "b0", 0)).hasMessageContaining("sleep-x");
    assertThatThrownBy(() -> RpcBehavior.parse(List.of("hostname=b0"), "b0", 0)).hasMessageContaining("hostname=");
  }

  @Test
  void httpStatusesMapBothWaysAsGrpcDocuments() {
    assertThat(HttpStatusMapping.toGrpc(200)).isEqualTo(Status.Code.OK);
    assertThat(HttpStatusMapping.toGrpc(401)).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(HttpStatusMapping.toGrpc(403)).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(HttpStatusMapping.toGrpc(404)).isEqualTo(Status.Code.UNIMPLEMENTED);
    for (int s : new int[] {429, 502, 503, 504}) {
      assertThat(HttpStatusMapping.toGrpc(s)).isEqualTo(Status.Code.UNAVAILABLE);
    }
    assertThat(HttpStatusMapping.toGrpc(500)).isEqualTo(Status.Code.UNKNOWN);
    for (Status.Code code : new Status.Code[] {Status.Code.OK, Status.Code.UNAUTHENTICATED,
        Status.Code.PERMISSION_DENIED, Status.Code.UNIMPLEMENTED, Status.Code.UNAVAILABLE}) {
      assertThat(HttpStatusMapping.toGrpc(HttpStatusMapping.toHttp(code))).isEqualTo(code);
    }
  }

  @Test
  void clientFlagsParseAsGrpcWritesThem() {
    ClientSettings s = ClientSettings.fromFlags("UnaryCall,EmptyCall", "EmptyCall:Key:v:with:colons,UnaryCall:k2:v2", 7);
    assertThat(s.types()).containsExactly(RpcType.UNARY_CALL, RpcType.EMPTY_CALL);
    assertThat(s.metadataFor(RpcType.EMPTY_CALL)).containsExactly(java.util.Map.entry("key", "v:with:colons"));
    assertThat(s.timeoutSec()).isEqualTo(7);
    assertThatThrownBy(() -> ClientSettings.fromFlags("StreamingCall", "", 1)).hasMessageContaining("StreamingCall");
    assertThatThrownBy(() -> ClientSettings.fromFlags("UnaryCall", "UnaryCall:novalue", 1))
        .hasMessageContaining("Method:key:value");
    assertThatThrownBy(() -> Flags.parse(new String[] {"client", "--qps=x"}, 1, InteropClient.FLAGS).integer("qps", 1))
        .hasMessageContaining("--qps");
  }
}
