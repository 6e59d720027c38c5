package io.dovetail.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A self-signed key pair for TLS tests, made with the JDK's keytool: a PKCS12 key store holding
 * it and a trust store holding its certificate, both under one password. Valid for 127.0.0.1
 * and localhost.
 */
public record TestTls(Path keyStore, Path trustStore, String password) {

  /** A fresh pair in a new directory named after {@code name}. */
  public static TestTls create(String name) {
    Path dir = TestDirs.create(name);
    String password = "changeit-" + name;
    Path keyStore = dir.resolve("server.p12");
    Path cert = dir.resolve("server.cer");
    Path trustStore = dir.resolve("trust.p12");
    keytool("-genkeypair", "-alias", "dovetail", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=" + name, "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "7",
        "-keystore", keyStore.toString(), "-storetype", "PKCS12", "-storepass", password,
        "-keypass", password);
    keytool("-exportcert", "-alias", "dovetail", "-keystore", keyStore.toString(),
        "-storepass", password, "-file", cert.toString());
    keytool("-importcert", "-noprompt", "-alias", "dovetail", "-file", cert.toString(),
        "-keystore", trustStore.toString(), "-storetype", "PKCS12", "-storepass", password);
    return new TestTls(keyStore, trustStore, password);
  }

  /** The {@code dovetail.tls.*} settings of a process that serves and connects with this pair. */
  public Map<String, String> settings() {
    return Map.of(
        "dovetail.tls.enabled", "true",
        "dovetail.tls.keyStore", keyStore.toString(),
        "dovetail.tls.keyStorePassword", password,
        "dovetail.tls.trustStore", trustStore.toString(),
        "dovetail.tls.trustStorePassword", password);
  }

  private static void keytool(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        throw new IllegalStateException("keytool " + args[0] + " failed: " + out);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run keytool: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
