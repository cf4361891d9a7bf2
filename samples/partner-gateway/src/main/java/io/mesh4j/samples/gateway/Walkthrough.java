package io.mesh4j.samples.gateway;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import okhttp3.OkHttpClient;

/**
 * What the sample shows: partners calling the gateway with IAP assertions, allowed (to the in-mesh service and,
 * over TLS origination, to the on-premises one), denied by RBAC (403), and refused by jwt_authn (401, and 403 for a
 * wrong audience, as Envoy answers it).
 */
final class Walkthrough {
  static final String ACME = "alice@acme.example";
  static final String GLOBEX = "bob@globex.example";

  record Step(String title, PartnerCall call, int expected) {}

  private Walkthrough() {}

  static List<Step> steps(IapKeys iap) {
    IapKeys stranger = IapKeys.generate("sample-iap-key-1"); // same kid, another key: a forged signature
    Instant now = Instant.now();
    List<Step> steps = new ArrayList<>();
    steps.add(new Step("ACME reads an order (in-mesh service)",
        new PartnerCall(ACME, "GET", "/orders/42", iap.assertion(ACME)), 200));
    steps.add(new Step("ACME places an order",
        new PartnerCall(ACME, "POST", "/orders/", iap.assertion(ACME)), 200));
    steps.add(new Step("Globex reads the ledger (on-premises, TLS originated by the mesh)",
        new PartnerCall(GLOBEX, "GET", "/ledger/balance", iap.assertion(GLOBEX)), 200));
    steps.add(new Step("ACME tries the ledger: RBAC allows ACME /orders/ only",
        new PartnerCall(ACME, "GET", "/ledger/balance", iap.assertion(ACME)), 403));
    steps.add(new Step("an unknown domain",
        new PartnerCall("eve@initech.example", "GET", "/orders/42", iap.assertion("eve@initech.example")), 403));
    steps.add(new Step("no IAP assertion", new PartnerCall("-", "GET", "/orders/42", null), 401));
    steps.add(new Step("an expired assertion", new PartnerCall(ACME, "GET", "/orders/42",
        iap.assertion(ACME, IapKeys.AUDIENCE, now.minus(Duration.ofHours(2)), Duration.ofMinutes(10))), 401));
    steps.add(new Step("an assertion for another backend service", new PartnerCall(ACME, "GET", "/orders/42",
        iap.assertion(ACME, "/projects/123456789012/global/backendServices/1", now, Duration.ofMinutes(10))), 403));
    steps.add(new Step("an assertion signed by someone else's key",
        new PartnerCall(ACME, "GET", "/orders/42", stranger.assertion(ACME)), 401));
    return steps;
  }

  /** Runs the steps and prints one line each; returns how many answered otherwise than expected. */
  static int run(List<Step> steps, OkHttpClient partner, String gatewayUrl, PrintStream out) {
    int surprises = 0;
    for (Step step : steps) {
      PartnerCall call = step.call();
      String outcome;
      int status;
      try {
        PartnerCall.Answer answer = call.send(partner, gatewayUrl);
        status = answer.status();
        outcome = answer.servedBy() != null ? answer.servedBy() + " " + answer.body()
            : answer.body() + (answer.wwwAuthenticate() == null ? "" : "  [www-authenticate: "
                + answer.wwwAuthenticate() + "]");
      } catch (IOException e) {
        status = -1;
        outcome = e.toString();
      }
      boolean asExpected = status == step.expected();
      if (!asExpected) {
        surprises++;
      }
      out.printf("%s %d  %-4s %-16s %-20s %s%n    -> %s%n", asExpected ? "ok " : "!! ", status, call.method(),
          call.path(), call.who(), step.title(), outcome);
    }
    return surprises;
  }
}
