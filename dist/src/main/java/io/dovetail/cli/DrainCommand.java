package io.dovetail.cli;

import io.dovetail.client.MetadataClient;
import io.dovetail.common.util.HostPort;
import io.dovetail.proto.DrainServerRequest;
import io.dovetail.proto.DrainServerResponse;
import io.dovetail.proto.GetClusterStatusRequest;
import io.dovetail.proto.ServerInfo;
import io.dovetail.proto.ServerState;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dovetail drain host:port}: the storage server with that data address gets no new
 * partitions, keeps serving what it holds, and exits once its shuffles are gone (their
 * applications finished or expired). With {@code --wait} the command returns when it has exited.
 * Draining is idempotent. Not thread-safe.
 */
@Command(name = "drain", mixinStandardHelpOptions = true,
    versionProvider = DovetailCli.Version.class,
    description = {"Drains a storage server: no new partitions; it exits once it holds nothing."})
final class DrainCommand implements Callable<Integer> {
  static final Duration POLL = Duration.ofMillis(500);

  @Mixin
  ClientOptions client;

  @Parameters(index = "0", paramLabel = "<host:port>",
      description = "The storage server's data address, as `dovetail status` lists it.")
  String server;

  @Option(names = "--wait", description = "Wait until the server has exited.")
  boolean await;

  @Option(names = "--timeout", paramLabel = "<seconds>", defaultValue = "3600",
      description = "How long --wait waits (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    HostPort target = ClientOptions.serverAddress(spec.commandLine(), server);
    var out = spec.commandLine().getOut();
    try (MetadataClient mc = client.connect(spec.commandLine())) {
      DrainServerResponse resp;
      try {
        resp = mc.admin().drainServer(DrainServerRequest.newBuilder().setHost(target.host())
            .setDataPort(target.port()).build());
      } catch (StatusRuntimeException e) {
        throw new CommandFailedException("cannot drain " + target + ": "
            + RpcFailures.describe(e), e);
      }
      ServerInfo info = resp.getServer();
      out.printf("%s (incarnation %d) is %s: it gets no new partitions and exits once it holds "
          + "no shuffle data.%n", target, info.getIncarnation(), info.getState());
      out.flush();
      if (!await) {
        return 0;
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
      boolean toldDead = false;
      while (true) {
        // The newest incarnation at the address: a server restarted while draining comes back
        // as a new incarnation that goes on draining, after a crash too.
        ServerState state = newest(mc, info.getHost(), info.getDataPort())
            .map(ServerInfo::getState).orElse(null);
        if (state == ServerState.EXITED || (state == null && !toldDead)) {
          out.printf("%s has exited.%n", target);
          out.flush();
          return 0;
        }
        if (state == ServerState.ACTIVE) {
          throw new CommandFailedException(target + " is ACTIVE again: drain it again");
        }
        if (state == ServerState.DEAD && !toldDead) {
          out.printf("%s died while draining (it missed its heartbeats); it goes on draining "
              + "when it starts again. Waiting.%n", target);
          out.flush();
          toldDead = true;
        } else if (state == ServerState.DRAINING) {
          toldDead = false;
        }
        // A dead incarnation may also be forgotten after its retention: still no exit.
        if (System.nanoTime() > deadline) {
          throw new CommandFailedException(target + " is still "
              + (state == null ? "gone after dying while draining" : state.toString())
              + " after " + timeoutSeconds + " s");
        }
        Thread.sleep(POLL.toMillis());
      }
    }
  }

  private static Optional<ServerInfo> newest(MetadataClient mc, String host, int port) {
    try {
      return mc.admin().getClusterStatus(GetClusterStatusRequest.getDefaultInstance())
          .getServersList().stream().map(s -> s.getServer())
          .filter(s -> s.getHost().equals(host) && s.getDataPort() == port)
          .max(java.util.Comparator.comparingLong(ServerInfo::getIncarnation));
    } catch (StatusRuntimeException e) {
      throw new CommandFailedException("lost the metadata server at " + mc.address() + ": "
          + RpcFailures.describe(e), e);
    }
  }
}
