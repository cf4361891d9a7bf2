package io.mesh4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad flags are usage errors (exit 2) that say what is wrong, before anything is dialled. */
class UsageTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "proxy-status --instances 127.0.0.1:15000 | Missing required option: '--control-plane",
      "proxy-status --control-plane 127.0.0.1:18000 | name the instances: --instances",
      "proxy-status --control-plane 127.0.0.1:18000 --instances nonsense | --instances 'nonsense' is not host:port",
      "proxy-status --control-plane cp:1 --instances a:1,b:99999 | --instances 'b:99999': port 99999 is out of range",
      "proxy-status --control-plane 127.0.0.1 --instances a:1 | --control-plane '127.0.0.1' is not host:port",
      "proxy-status --control-plane cp:1 --instances a:1 b:2 | give one of INSTANCE (for its detail), --instances, --discover",
      "proxy-status --control-plane cp:1 --discover catalog | --discover needs --csds-port",
      "proxy-status --control-plane cp:1 --discover catalog --csds-port 0 | --csds-port 0 is out of range",
      "proxy-status --control-plane cp:1 --instances a:1 --interval 0s | '0s' must be more than zero",
      "proxy-status --control-plane cp:1 --instances a:1 --timeout soon | 'soon' is not a duration",
      "proxy-status --control-plane cp:1 --instances a:1 -o yaml | Invalid value for option '--output'",
      "proxy-status --control-plane cp:1 --instances a:1 --frobnicate | Unknown option: '--frobnicate'",
      "proxy-status --control-plane cp:1 --instances a:1 --token-file /etc/hostname | need --control-plane-tls",
      "proxy-status --control-plane cp:1 --instances a:1 --control-plane-tls --token-file /no | --token-file /no cannot",
      "proxy-status --control-plane cp:1 --instances a:1 --instance-ca /etc/hostname | need --instance-tls",
      "proxy-status --control-plane cp:1 --instances a:1 --instance-tls --instance-cert /etc/hostname | --instance-cert and --instance-key go together",
      "proxy-status --control-plane cp:1 --instances a:1 --instance-tls --instance-ca /no | --instance-ca /no cannot be read",
      "proxy-status --control-plane cp:1 --instances a:1 --selector app=x | need --kubernetes",
      "proxy-status --control-plane cp:1 --instances a:1 --kubernetes | give one of INSTANCE (for its detail), --instances, --discover or --kubernetes",
      "proxy-status --control-plane cp:1 --kubernetes --kube-api http://127.0.0.1:8001 --kube-token t | a token is never sent in plaintext",
      "proxy-status --control-plane cp:1 --kubernetes --kube-api localhost:6443 | --kube-api localhost:6443: not an http(s)://host[:port] URL",
      "proxy-status --control-plane cp:1 --kubernetes --kube-token-file /etc/hostname --kube-token t | not both",
      "proxy-status --control-plane cp:1 --kubernetes --admin-port 70000 | --csds-port 70000 is out of range",
      "proxy-stats | Did you mean: meshctl proxy-status?",
  })
  void aBadCommandLineIsAUsageErrorSayingWhy(String commandLine, String message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int code = MeshCtl.run(commandLine.trim().split("\\s+"), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));

    String printed = err.toString(StandardCharsets.UTF_8);
    assertThat(code).isEqualTo(2);
    assertThat(printed).contains(message).containsAnyOf("Usage: meshctl", "Did you mean");
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void aFailureThatIsNotAUsageErrorIsOneLineAndExitCode1(@TempDir Path dir) throws Exception {
    Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate");
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int code = MeshCtl.run(new String[] {"proxy-status", "--control-plane", "127.0.0.1:1", "--instances", "a:1",
        "--control-plane-tls", "--control-plane-ca", notPem.toString()},
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(code).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("meshctl: ").contains(notPem.toString())
        .doesNotContain("\tat ");
  }
}
