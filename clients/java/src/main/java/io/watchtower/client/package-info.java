/**
 * The Java client of Watchtower, a self-hosted heartbeat monitor and event aggregator.
 *
 * <p>Start with {@link io.watchtower.client.WatchtowerClient}:
 *
 * <pre>{@code
 * WatchtowerClient client = WatchtowerClient.builder()
 *         .url("http://127.0.0.1:8080")
 *         .password(System.getenv("WATCHTOWER_PASSWORD"))
 *         .build();
 *
 * client.pulse("backup", Duration.ofHours(25), AlertType.MAIL, "ops@example.com");
 * client.addEvent("backup", Level.INFO, "backup done: 1.2 GB");
 * }</pre>
 *
 * <ul>
 *   <li>services: {@link io.watchtower.client.WatchtowerClient#pulse pulse},
 *       {@link io.watchtower.client.WatchtowerClient#cancel cancel},
 *       {@link io.watchtower.client.WatchtowerClient#listServices listServices} (every service, or
 *       those a {@link io.watchtower.client.ServiceQuery} matches),
 *       {@link io.watchtower.client.WatchtowerClient#listServicesPage listServicesPage} (one
 *       {@link io.watchtower.client.ServicePage page} of them),
 *       {@link io.watchtower.client.WatchtowerClient#services services} (every page), and a background
 *       {@link io.watchtower.client.Heartbeat}; each service's
 *       {@link io.watchtower.client.WatchtowerClient#dailyUptime dailyUptime} over 30 days, and
 *       {@link io.watchtower.client.WatchtowerClient#explainSchedule(String) explainSchedule} (a cron
 *       expression in words, with its next times);
 *   <li>a job's runs and the ping history: {@link io.watchtower.client.WatchtowerClient#start start},
 *       {@link io.watchtower.client.WatchtowerClient#fail fail}, and
 *       {@link io.watchtower.client.WatchtowerClient#pings pings} (each
 *       {@link io.watchtower.client.Ping} a service sent, newest first);
 *   <li>what the server can alert: {@link io.watchtower.client.WatchtowerClient#channels channels}
 *       (each {@link io.watchtower.client.Channel}, {@link io.watchtower.client.Route} and
 *       {@link io.watchtower.client.PingKey}, by name, never a secret);
 *   <li>test alerts: {@link io.watchtower.client.WatchtowerClient#testAlert testAlert}, which
 *       answers each {@link io.watchtower.client.Delivery} or names the channel that refused it;
 *   <li>alerts as they fared: {@link io.watchtower.client.WatchtowerClient#listAlerts listAlerts}
 *       (an {@link io.watchtower.client.AlertRecord} for each alert an
 *       {@link io.watchtower.client.AlertQuery} matches, newest first);
 *   <li>events: {@link io.watchtower.client.WatchtowerClient#addEvent addEvent} (with
 *       attributes if you like),
 *       {@link io.watchtower.client.WatchtowerClient#listEvents listEvents} (one
 *       {@link io.watchtower.client.EventPage page} of an {@link io.watchtower.client.EventQuery}),
 *       {@link io.watchtower.client.WatchtowerClient#events events} (every page), filtered on
 *       attributes too;
 *   <li>API keys: {@link io.watchtower.client.WatchtowerClient#createKey createKey},
 *       {@link io.watchtower.client.WatchtowerClient#listKeys listKeys},
 *       {@link io.watchtower.client.WatchtowerClient#revokeKey revokeKey}, and
 *       {@link io.watchtower.client.WatchtowerClient#whoami whoami}; a key's secret is given to the
 *       builder in place of the password;
 *   <li>errors: {@link io.watchtower.client.WatchtowerException} and its subclasses, unchecked.
 * </ul>
 *
 * <p>The library has no dependencies, runs on Java 8 and later, and talks HTTP with
 * {@link java.net.HttpURLConnection}.
 */
package io.watchtower.client;
