//! Rows to secrets: which template a row fills (login, note, card), the box
//! it goes in, and the columns that become custom fields.

use crate::import::{Imported, ImportedBox, ImportedSecret};
use crate::vault::{BoxKind, CustomField, ListItem, SecretContent, SecretText, field_key};

use super::dialect::{Dialect, Layout, Role};
use super::fields::{self, OwnFields};
use super::{Row, Table};

/// Turns every row of a parsed file into a secret in its box.
pub fn import(table: &Table, dialect: Dialect, layout: &Layout) -> Imported {
    let mut boxes: Vec<ImportedBox> = Vec::new();
    let mut notes = Vec::new();
    for row in &table.rows {
        let cells = Cells {
            row,
            layout,
            dialect,
            header: &table.header,
        };
        match cells.convert() {
            Converted::Secret(name, kind, secret) => add_to_box(&mut boxes, name, kind, secret),
            Converted::Skipped(note) => notes.extend(note),
        }
    }
    Imported {
        source: format!("{} CSV", dialect.manager()),
        boxes,
        notes,
    }
}

fn add_to_box(boxes: &mut Vec<ImportedBox>, name: String, kind: BoxKind, secret: ImportedSecret) {
    match boxes.iter_mut().find(|b| b.name == name && b.kind == kind) {
        Some(existing) => existing.secrets.push(secret),
        None => boxes.push(ImportedBox {
            name,
            kind,
            secrets: vec![secret],
        }),
    }
}

enum Converted {
    Secret(String, BoxKind, ImportedSecret),
    /// A row that is not an entry, with a note for the user if worth one.
    Skipped(Option<String>),
}

enum EntryKind {
    Login,
    Note,
    Card,
}

/// One row seen through its file's layout.
struct Cells<'a> {
    row: &'a Row,
    layout: &'a Layout,
    dialect: Dialect,
    header: &'a [String],
}

impl Cells<'_> {
    fn get(&self, role: Role) -> &str {
        self.row.cell(self.layout.index(role))
    }

    fn convert(&self) -> Converted {
        if let Some(skipped) = self.skipped() {
            return skipped;
        }
        if self.dialect == Dialect::Bitwarden
            && let Some(own) = fields::own_fields(self.get(Role::Fields))
        {
            return self.own_secret(own);
        }
        let (kind, mut content) = match self.entry_kind() {
            EntryKind::Login => (BoxKind::Passwords, self.login()),
            EntryKind::Note => (BoxKind::Notes, self.note()),
            EntryKind::Card => self.card().map_or_else(
                || (BoxKind::Notes, self.note()),
                |c| (BoxKind::Financial, c),
            ),
        };
        content.custom.extend(self.extra_columns());
        Converted::Secret(self.box_name(), kind, self.secret(content))
    }

    /// Rows that are not entries: Firefox's own account token and
    /// `NordPass`'s folder rows.
    fn skipped(&self) -> Option<Converted> {
        if self.dialect == Dialect::Firefox
            && self
                .get(Role::Url)
                .trim()
                .starts_with("chrome://FirefoxAccounts")
        {
            let note = format!(
                "Skipped line {}: Firefox's own account sign-in, not a website login.",
                self.row.line
            );
            return Some(Converted::Skipped(Some(note)));
        }
        let title = self.layout.index(Role::Title);
        let only_title = self
            .row
            .cells
            .iter()
            .enumerate()
            .all(|(i, c)| c.is_empty() == (Some(i) != title));
        (self.dialect == Dialect::NordPass && only_title).then_some(Converted::Skipped(None))
    }

    fn entry_kind(&self) -> EntryKind {
        match self.get(Role::Type).trim().to_lowercase().as_str() {
            "note" | "securenote" | "identity" => return EntryKind::Note,
            "card" | "creditcard" => return EntryKind::Card,
            "login" | "alias" => return EntryKind::Login,
            _ => {}
        }
        if self.dialect == Dialect::LastPass && self.get(Role::Url).trim() == "http://sn" {
            return EntryKind::Note;
        }
        if !self.get(Role::CardNumber).trim().is_empty() {
            return EntryKind::Card;
        }
        let login_roles = [
            Role::Username,
            Role::Password,
            Role::Url,
            Role::Totp,
            Role::Email,
        ];
        let no_login = login_roles.iter().all(|r| self.get(*r).is_empty());
        if no_login && !self.get(Role::Notes).is_empty() {
            EntryKind::Note
        } else {
            EntryKind::Login
        }
    }

    fn login(&self) -> SecretContent {
        let mut content = SecretContent::default();
        let urls = split_urls(self.get(Role::Url), self.dialect);
        let title = self.get(Role::Title);
        let issuer = if title.trim().is_empty() {
            urls.first().map_or("", |u| host(u))
        } else {
            title
        };
        set(&mut content, "issuer", issuer);
        set(&mut content, "username", self.get(Role::Username));
        set(&mut content, "password", self.get(Role::Password));
        set(&mut content, "email", self.get(Role::Email));
        set(
            &mut content,
            "link",
            urls.first().map_or("", String::as_str),
        );
        set(&mut content, "totp", self.get(Role::Totp));
        set(&mut content, "notes", self.get(Role::Notes));
        for (number, url) in (2..).zip(urls.iter().skip(1)) {
            content
                .custom
                .push(custom(&format!("Link {number}"), url, false));
        }
        content
    }

    /// A secure note; login values it happens to have become custom fields.
    fn note(&self) -> SecretContent {
        let mut content = SecretContent::default();
        set(&mut content, "name", self.get(Role::Title));
        set(&mut content, "notes", self.get(Role::Notes));
        let url = self.get(Role::Url);
        let url = if url.trim() == "http://sn" { "" } else { url };
        let extras = [
            ("Username", self.get(Role::Username), false),
            ("Password", self.get(Role::Password), true),
            ("Email", self.get(Role::Email), false),
            ("Link", url, false),
            ("TOTP", self.get(Role::Totp), true),
        ];
        for (name, value, hidden) in extras {
            if !value.is_empty() {
                content.custom.push(custom(name, value, hidden));
            }
        }
        content
    }

    /// A payment card: Proton keeps it as JSON in the note, `NordPass` in
    /// columns of its own. `None` when the JSON does not read.
    fn card(&self) -> Option<SecretContent> {
        let mut content = SecretContent::default();
        set(&mut content, "name", self.get(Role::Title));
        let mut item = ListItem::new();
        if self.dialect == Dialect::ProtonPass {
            proton_card(self.get(Role::Notes), &mut content, &mut item)?;
        } else {
            set(&mut content, "notes", self.get(Role::Notes));
            put(&mut item, "number", self.get(Role::CardNumber));
            put(&mut item, "expiry", self.get(Role::CardExpiry));
            put(&mut item, "cvc", self.get(Role::CardCvc));
            let holder = self.get(Role::CardHolder);
            if !holder.is_empty() {
                content.custom.push(custom("Cardholder", holder, false));
            }
        }
        content.lists.insert(field_key("cards"), vec![item]);
        Some(content)
    }

    /// A row of our own export: its type line and fields give it back whole.
    fn own_secret(&self, own: OwnFields) -> Converted {
        let OwnFields { kind, mut content } = own;
        if kind == BoxKind::Passwords {
            set(&mut content, "issuer", self.get(Role::Title));
            set(&mut content, "username", self.get(Role::Username));
            set(&mut content, "password", self.get(Role::Password));
            set(&mut content, "link", self.get(Role::Url));
            set(&mut content, "totp", self.get(Role::Totp));
        } else {
            set(&mut content, kind.title_key(), self.get(Role::Title));
        }
        set(&mut content, "notes", self.get(Role::Notes));
        let folder = self.get(Role::Folder);
        let name = if folder.trim().is_empty() {
            self.default_box_name()
        } else {
            folder.to_owned()
        };
        Converted::Secret(name, kind, self.secret(content))
    }

    /// Columns with no role, Bitwarden's `fields` lines and true flags.
    fn extra_columns(&self) -> Vec<CustomField> {
        let mut extra = Vec::new();
        for (index, name) in self.header.iter().enumerate() {
            let value = self.row.cell(Some(index));
            if value.is_empty() {
                continue;
            }
            match self.layout.role_of(index) {
                None => extra.push(custom(name.trim(), value, fields::looks_secret(name))),
                Some(Role::Fields) => extra.extend(fields::custom_fields(value)),
                Some(Role::Flag) if is_true(value) => {
                    extra.push(custom(name.trim(), "true", false));
                }
                Some(_) => {}
            }
        }
        extra
    }

    fn secret(&self, content: SecretContent) -> ImportedSecret {
        ImportedSecret {
            content,
            created_ms: self.time(Role::Created),
            updated_ms: self.time(Role::Updated),
            favourite: is_true(self.get(Role::Favourite)),
            attachments: Vec::new(),
        }
    }

    /// A time cell: digits are milliseconds (Firefox) or seconds (Proton),
    /// anything else ISO 8601 (`KeePassXC`).
    fn time(&self, role: Role) -> Option<i64> {
        let text = self.get(role).trim();
        if text.is_empty() {
            return None;
        }
        if text.bytes().all(|b| b.is_ascii_digit()) {
            let number: i64 = text.parse().ok()?;
            return match self.dialect {
                Dialect::ProtonPass => number.checked_mul(1000),
                _ => Some(number),
            };
        }
        parse_iso8601(text)
    }

    /// The folder path (`KeePassXC` without its root group, `LastPass`'s
    /// backslashes as slashes), else "Imported from <manager>".
    fn box_name(&self) -> String {
        let folder = self.get(Role::Folder);
        let path = match self.dialect {
            Dialect::LastPass => folder.replace('\\', "/"),
            Dialect::KeePassXc => folder.split_once('/').map_or("", |(_, p)| p).to_owned(),
            _ => folder.to_owned(),
        };
        let path = path.trim().trim_matches('/').trim();
        if path.is_empty() {
            self.default_box_name()
        } else {
            path.to_owned()
        }
    }

    fn default_box_name(&self) -> String {
        format!("Imported from {}", self.dialect.manager())
    }
}

fn set(content: &mut SecretContent, key: &str, value: &str) {
    if !value.is_empty() {
        content.set(key, value);
    }
}

fn put(item: &mut ListItem, key: &str, value: &str) {
    if !value.is_empty() {
        item.insert(field_key(key), SecretText::new(value));
    }
}

fn custom(name: &str, value: &str, hidden: bool) -> CustomField {
    CustomField {
        name: name.to_owned(),
        value: SecretText::new(value),
        hidden,
    }
}

fn is_true(text: &str) -> bool {
    matches!(
        text.trim().to_lowercase().as_str(),
        "1" | "true" | "yes" | "y"
    )
}

/// Proton's card JSON: known keys into the card, the rest custom fields.
fn proton_card(json: &str, content: &mut SecretContent, item: &mut ListItem) -> Option<()> {
    let value: serde_json::Value = serde_json::from_str(json).ok()?;
    let object = value.as_object()?;
    for (key, value) in object {
        let Some(text) = value.as_str().filter(|t| !t.is_empty()) else {
            continue;
        };
        match key.as_str() {
            "number" => put(item, "number", text),
            "expirationDate" => put(item, "expiry", text),
            "verificationNumber" => put(item, "cvc", text),
            "note" => set(content, "notes", text),
            "cardholderName" => content.custom.push(custom("Cardholder", text, false)),
            other => content
                .custom
                .push(custom(other, text, fields::looks_secret(other))),
        }
    }
    Some(())
}

/// Bitwarden joins several URIs with "," and Proton with ", ", but a URL may
/// hold commas itself: a piece that does not look like a URL of its own
/// belongs to the one before it.
fn split_urls(text: &str, dialect: Dialect) -> Vec<String> {
    if text.is_empty() {
        return Vec::new();
    }
    if !matches!(dialect, Dialect::Bitwarden | Dialect::ProtonPass) {
        return vec![text.to_owned()];
    }
    let mut urls: Vec<String> = Vec::new();
    for piece in text.split(',') {
        match urls.last_mut() {
            Some(last) if !looks_like_url(piece.trim()) => {
                last.push(',');
                last.push_str(piece);
            }
            Some(_) => urls.push(piece.trim_start().to_owned()),
            None => urls.push(piece.to_owned()),
        }
    }
    urls
}

/// A scheme, or a dotted host before any path or query character.
fn looks_like_url(piece: &str) -> bool {
    if piece.contains("://") {
        return true;
    }
    let host_end = piece.find(['/', '?', '#', '&', '=']).unwrap_or(piece.len());
    let host = piece.get(..host_end).unwrap_or_default();
    !host.is_empty() && host.contains('.') && !host.contains(char::is_whitespace)
}

/// The host of a URL (or the text itself when it has no scheme and path),
/// to name a login that has no title.
fn host(url: &str) -> &str {
    let url = url.trim();
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host_port.split(':').next().unwrap_or(host_port);
    if host.is_empty() { url } else { host }
}

/// `2022-04-15T05:20:00.123Z` (or with a `+02:00` offset, or none: UTC) as
/// milliseconds since the Unix epoch.
fn parse_iso8601(text: &str) -> Option<i64> {
    let (date, time) = text.split_once(['T', 't', ' '])?;
    let mut date_parts = date.splitn(3, '-');
    let year: i64 = date_parts.next()?.parse().ok()?;
    let month: i64 = date_parts.next()?.parse().ok()?;
    let day: i64 = date_parts.next()?.parse().ok()?;
    let (clock, offset_ms) = split_offset(time)?;
    let (hms, fraction) = clock.split_once('.').unwrap_or((clock, ""));
    let mut hms_parts = hms.splitn(3, ':');
    let hours: i64 = hms_parts.next()?.parse().ok()?;
    let minutes: i64 = hms_parts.next()?.parse().ok()?;
    let seconds: i64 = hms_parts.next().unwrap_or("0").parse().ok()?;
    let millis: i64 = format!("{fraction:0<3}").get(..3)?.parse().ok()?;
    let valid = (1..=12).contains(&month) && (1..=31).contains(&day) && hours < 24;
    if !valid || minutes >= 60 || seconds > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let clock_ms = ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis;
    Some(days * 86_400_000 + clock_ms - offset_ms)
}

/// Splits `05:20:00+02:00` into the clock and the offset in milliseconds.
fn split_offset(time: &str) -> Option<(&str, i64)> {
    if let Some(clock) = time.strip_suffix(['Z', 'z']) {
        return Some((clock, 0));
    }
    let Some(at) = time.rfind(['+', '-']) else {
        return Some((time, 0));
    };
    let (clock, offset) = time.split_at(at);
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let digits: String = offset.chars().filter(char::is_ascii_digit).collect();
    let hours: i64 = digits.get(..2)?.parse().ok()?;
    let minutes: i64 = digits
        .get(2..)
        .filter(|m| !m.is_empty())
        .unwrap_or("0")
        .parse()
        .ok()?;
    Some((clock, sign * (hours * 60 + minutes) * 60_000))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_times_read_as_utc_milliseconds() {
        assert_eq!(parse_iso8601("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_iso8601("2022-04-15T05:20:00.123Z"),
            Some(1_650_000_000_123)
        );
        assert_eq!(
            parse_iso8601("2022-04-15T07:20:00+02:00"),
            Some(1_650_000_000_000)
        );
        assert_eq!(parse_iso8601("yesterday"), None);
    }

    #[test]
    fn commas_inside_a_url_do_not_split_it() {
        let one = split_urls(
            "https://shop.example/cart?items=1,2,3&x=y#frag",
            Dialect::Bitwarden,
        );
        assert_eq!(one, ["https://shop.example/cart?items=1,2,3&x=y#frag"]);
        let two = split_urls(
            "https://a.example/, https://b.example/",
            Dialect::ProtonPass,
        );
        assert_eq!(two, ["https://a.example/", "https://b.example/"]);
    }

    #[test]
    fn a_host_names_a_login_without_a_title() {
        assert_eq!(
            host("https://user@accounts.example.net:443/x?y"),
            "accounts.example.net"
        );
        assert_eq!(host("mastodon.social"), "mastodon.social");
    }
}
