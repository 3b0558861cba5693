//! How the command-line client prints: aligned tables (coloured on a terminal,
//! unless `NO_COLOR` is set), JSON, or CSV.

use std::io::{self, IsTerminal, Write};

use clap::ValueEnum;
use watchtower_client::{AlertRecord, Event, Level, Service, Status};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

pub struct Printer {
    out: io::Stdout,
    colour: bool,
}

const RESET: &str = "\x1b[0m";
const DIM: &str = "2";

impl Printer {
    pub fn stdout() -> Self {
        let out = io::stdout();
        let colour = out.is_terminal() && std::env::var_os("NO_COLOR").is_none();
        Self { out, colour }
    }

    pub fn line(&mut self, text: &str) -> io::Result<()> {
        writeln!(self.out.lock(), "{text}")
    }

    fn paint(&self, text: &str, code: &str) -> String {
        match self.colour {
            true => format!("\x1b[{code}m{text}{RESET}"),
            false => text.to_owned(),
        }
    }

    pub fn services(&mut self, services: &[Service], format: Format) -> io::Result<()> {
        match format {
            Format::Json => self.json(services),
            Format::Csv => {
                let mut lines = vec![csv_line(&[
                    "service",
                    "status",
                    "lastPulse",
                    "deadline",
                    "nextIn",
                    "alertType",
                    "alertTarget",
                ])];
                for s in services {
                    lines.push(csv_line(&[
                        &s.service,
                        &s.status.to_string(),
                        &date(&s.last_pulse),
                        &date(&s.deadline),
                        &s.next_in.to_string(),
                        &s.alert_type,
                        &s.alert_target,
                    ]));
                }
                self.lines(&lines)
            }
            Format::Table => {
                let rows: Vec<Vec<String>> = services
                    .iter()
                    .map(|s| {
                        vec![
                            s.service.clone(),
                            s.status.to_string(),
                            date(&s.last_pulse),
                            date(&s.deadline),
                            format!("{}:{}", s.alert_type, s.alert_target),
                        ]
                    })
                    .collect();
                let colours: Vec<&str> = services
                    .iter()
                    .map(|s| match s.status {
                        Status::Dead => "1;31",
                        Status::Late => "33",
                        Status::Up => "32",
                        // Paused, new, or what this version does not know: plain grey.
                        _ => "90",
                    })
                    .collect();
                self.table(
                    &["SERVICE", "STATUS", "LAST PULSE", "DEADLINE", "ALERT"],
                    &rows,
                    1,
                    &colours,
                )
            }
        }
    }

    pub fn alerts(&mut self, alerts: &[AlertRecord], format: Format) -> io::Result<()> {
        let cells = |a: &AlertRecord| {
            vec![
                date(&a.created),
                a.service.clone(),
                a.kind.clone(),
                format!("{}:{}", a.alert_type, a.alert_target),
                a.state.clone(),
                a.attempts.to_string(),
                a.last_error.clone().unwrap_or_default(),
            ]
        };
        match format {
            Format::Json => self.json(alerts),
            Format::Csv => {
                let header = [
                    "created",
                    "service",
                    "kind",
                    "alert",
                    "state",
                    "attempts",
                    "lastError",
                ];
                let mut lines = vec![csv_line(&header)];
                for alert in alerts {
                    let row = cells(alert);
                    lines.push(csv_line(
                        &row.iter().map(String::as_str).collect::<Vec<_>>(),
                    ));
                }
                self.lines(&lines)
            }
            Format::Table => {
                let rows: Vec<Vec<String>> = alerts.iter().map(cells).collect();
                let colours: Vec<&str> = alerts
                    .iter()
                    .map(|a| match a.state.as_str() {
                        "sent" => "32",
                        "failed" => "1;31",
                        "pending" if a.attempts > 0 => "33",
                        _ => "90",
                    })
                    .collect();
                let header = [
                    "CREATED",
                    "SERVICE",
                    "KIND",
                    "ALERT",
                    "STATE",
                    "ATTEMPTS",
                    "LAST ERROR",
                ];
                self.table(&header, &rows, 4, &colours)
            }
        }
    }

    pub fn events(&mut self, events: &[Event], format: Format) -> io::Result<()> {
        match format {
            Format::Json => self.json(events),
            Format::Csv | Format::Table => {
                self.start_events(format)?;
                events
                    .iter()
                    .try_for_each(|event| self.event(event, format))
            }
        }
    }

    /// The header line of a list of events, if the format has one.
    pub fn start_events(&mut self, format: Format) -> io::Result<()> {
        match format {
            Format::Csv => self.line(&csv_line(&[
                "id",
                "date",
                "service",
                "level",
                "message",
                "attributes",
            ])),
            _ => Ok(()),
        }
    }

    /// One event, as the format prints it alone (JSON: one object a line).
    pub fn event(&mut self, event: &Event, format: Format) -> io::Result<()> {
        let line = match format {
            Format::Json => serde_json::to_string(event).map_err(io::Error::other)?,
            Format::Csv => csv_line(&[
                &event.id.to_string(),
                &date(&event.date),
                &event.service,
                event.level.as_str(),
                &event.message,
                &match event.attributes.is_empty() {
                    true => String::new(),
                    false => serde_json::to_string(&event.attributes).map_err(io::Error::other)?,
                },
            ]),
            Format::Table => {
                let level = format!("{:<8}", event.level.as_str());
                // Attributes follow the message as NAME=VALUE, so a line stays one line.
                let attributes: String = (event.attributes.iter())
                    .map(|(name, value)| format!("  {name}={value}"))
                    .collect();
                format!(
                    "{}  {}  {}  {}{}",
                    date(&event.date),
                    self.paint(&level, level_colour(event.level)),
                    event.service,
                    event.message,
                    match attributes.is_empty() {
                        true => attributes,
                        false => self.paint(&attributes, DIM),
                    }
                )
            }
        };
        self.line(&line)
    }

    fn json<T: serde::Serialize + ?Sized>(&mut self, value: &T) -> io::Result<()> {
        let text = serde_json::to_string_pretty(value).map_err(io::Error::other)?;
        self.line(&text)
    }

    fn lines(&mut self, lines: &[String]) -> io::Result<()> {
        lines.iter().try_for_each(|line| self.line(line))
    }

    /// Columns padded to their widest cell; column `painted` in each row's colour.
    fn table(
        &mut self,
        header: &[&str],
        rows: &[Vec<String>],
        painted: usize,
        colours: &[&str],
    ) -> io::Result<()> {
        let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
        for row in rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let pad = |cell: &str, width: usize| {
            format!("{cell}{}", " ".repeat(width - cell.chars().count()))
        };
        let head: Vec<String> = header
            .iter()
            .zip(&widths)
            .map(|(h, w)| pad(h, *w))
            .collect();
        let head = head.join("  ");
        let head = self.paint(head.trim_end(), "1");
        self.line(&head)?;
        for (row, colour) in rows.iter().zip(colours) {
            let cells: Vec<String> = row
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(i, (cell, w))| match i == painted {
                    true => self.paint(&pad(cell, *w), colour),
                    false => pad(cell, *w),
                })
                .collect();
            self.line(cells.join("  ").trim_end())?;
        }
        Ok(())
    }
}

fn level_colour(level: Level) -> &'static str {
    match level {
        Level::Debug => "2",
        Level::Info => "36",
        Level::Warning => "33",
        Level::Error => "31",
        Level::Critical => "1;31",
    }
}

fn date(date: &chrono::DateTime<chrono::Utc>) -> String {
    date.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// RFC 4180: quoted only when needed. A cell that a spreadsheet would run as a
/// formula (`=`, `+`, `-`, `@`, tab, CR first) gets a `'` before it, inside
/// quotes, as the server's CSV export does (OWASP, "CSV Injection").
fn csv_line(cells: &[&str]) -> String {
    let quote = |cell: &&str| {
        if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("\"'{}\"", cell.replace('"', "\"\""))
        } else if cell.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", cell.replace('"', "\"\""))
        } else {
            (*cell).to_owned()
        }
    };
    cells.iter().map(quote).collect::<Vec<_>>().join(",")
}
