package io.dovetail.cli;

import io.dovetail.client.MetadataClient;
import io.dovetail.common.util.HostPort;
import io.dovetail.proto.UndrainServerRequest;
import io.dovetail.proto.UndrainServerResponse;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code dovetail undrain host:port}: cancels a drain. The storage server there is ACTIVE again
 * and gets new partitions; the drain no longer belongs to the address, so a server that died while
 * draining starts ACTIVE. A goodbye the server already sent is refused and it stays. Idempotent
 * for an ACTIVE server. Not thread-safe.
 */
@Command(name = "undrain", mixinStandardHelpOptions = true,
    versionProvider = DovetailCli.Version.class,
    description = {"Cancels the drain of a storage server: it gets new partitions again."})
final class UndrainCommand implements Callable<Integer> {
  @Mixin
  ClientOptions client;

  @Parameters(index = "0", paramLabel = "<host:port>",
      description = "The storage server's data address, as `dovetail status` lists it.")
  String server;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    HostPort target = ClientOptions.serverAddress(spec.commandLine(), server);
    var out = spec.commandLine().getOut();
    try (MetadataClient mc = client.connect(spec.commandLine())) {
      UndrainServerResponse resp;
      try {
        resp = mc.admin().undrainServer(UndrainServerRequest.newBuilder().setHost(target.host())
            .setDataPort(target.port()).build());
      } catch (StatusRuntimeException e) {
        throw new CommandFailedException("cannot undrain " + target + ": "
            + RpcFailures.describe(e), e);
      }
      if (resp.hasServer()) {
        out.printf("%s (incarnation %d) is %s: it gets new partitions again.%n", target,
            resp.getServer().getIncarnation(), resp.getServer().getState());
      } else {
        out.printf("%s is not running; its drain is cancelled and it starts ACTIVE.%n", target);
      }
      out.flush();
      return 0;
    }
  }
}
