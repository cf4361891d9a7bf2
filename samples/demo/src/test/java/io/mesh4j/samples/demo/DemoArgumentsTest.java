package io.mesh4j.samples.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DemoArgumentsTest {

  @Test
  void defaultsToFindingTheConfigAndRunningUntilInterrupted() {
    assertThat(DemoArguments.parse()).isEqualTo(new DemoArguments(null, null, false));
  }

  @Test
  void readsConfigDirAndDuration() {
    assertThat(DemoArguments.parse("--duration", "5", "--config-dir", "my/config"))
        .isEqualTo(new DemoArguments(Path.of("my/config"), Duration.ofSeconds(5), false));
    assertThat(DemoArguments.parse("--help").help()).isTrue();
  }

  @Test
  void theAdminEndpointIsOn15000UnlessToldOtherwise() {
    assertThat(DemoArguments.parse().adminPort()).isEqualTo(15000);
    assertThat(DemoArguments.parse("--admin-port", "0").adminPort()).isZero();
    assertThat(DemoArguments.parse("--admin-port", "15123").adminPort()).isEqualTo(15123);
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> DemoArguments.parse("--duration", "0"))
        .hasMessage("--duration must be a positive number of seconds: 0");
    assertThatThrownBy(() -> DemoArguments.parse("--duration", "soon"))
        .hasMessage("--duration must be a whole number of seconds: soon");
    assertThatThrownBy(() -> DemoArguments.parse("--config-dir")).hasMessage("--config-dir needs a value");
    assertThatThrownBy(() -> DemoArguments.parse("--port", "1")).hasMessage("unknown argument: --port");
    assertThatThrownBy(() -> DemoArguments.parse("--admin-port", "x"))
        .hasMessage("--admin-port must be a port, or 0 for none: x");
  }
}
