package io.watchtower.client;

import java.time.Duration;

/**
 * A program for {@link HeartbeatTest}: pulses {@code service} with a heartbeat that cancels on
 * JVM shutdown, prints {@code pulsing} once the first pulse got through, then waits to be killed.
 *
 * <p>Usage: {@code ShutdownHookMain URL PASSWORD SERVICE}
 */
public final class ShutdownHookMain {
    private ShutdownHookMain() {}

    public static void main(String[] args) throws Exception {
        WatchtowerClient client = WatchtowerClient.builder().url(args[0]).password(args[1]).build();
        Heartbeat heartbeat = client.heartbeat(Pulse.of(args[2], Duration.ofSeconds(30), AlertType.WEBHOOK, "ops"))
                .every(Duration.ofMillis(50))
                .cancelOnStop(true)
                .stopOnJvmShutdown(true)
                .start();
        while (heartbeat.getPulseCount() == 0) {
            Thread.sleep(10);
        }
        System.out.println("pulsing");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
