//! Which password manager wrote a CSV, told by its header, and which of its
//! columns holds what.

use super::ColumnMapping;

/// A password manager's CSV layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Bitwarden,
    Chrome,
    Firefox,
    LastPass,
    OnePassword,
    KeePassXc,
    KeePass,
    Dashlane,
    ProtonPass,
    NordPass,
    /// Columns chosen by the user.
    Mapped,
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Title,
    Username,
    Password,
    Url,
    Notes,
    Totp,
    Folder,
    Email,
    Favourite,
    Type,
    Created,
    Updated,
    /// Bitwarden's `name: value` lines.
    Fields,
    CardHolder,
    CardNumber,
    CardCvc,
    CardExpiry,
    /// Kept as a custom field only when true (1Password's "Archived").
    Flag,
    /// Nothing worth keeping (an icon number, a record id).
    Ignore,
}

/// Column indices by role; columns with no role become custom fields.
#[derive(Debug, Default)]
pub struct Layout {
    roles: Vec<Option<Role>>,
}

impl Dialect {
    /// The manager's name, for the source line and default box names.
    pub fn manager(self) -> &'static str {
        match self {
            Self::Bitwarden => "Bitwarden",
            Self::Chrome => "Chrome",
            Self::Firefox => "Firefox",
            Self::LastPass => "LastPass",
            Self::OnePassword => "1Password",
            Self::KeePassXc => "KeePassXC",
            Self::KeePass => "KeePass",
            Self::Dashlane => "Dashlane",
            Self::ProtonPass => "Proton Pass",
            Self::NordPass => "NordPass",
            Self::Mapped => "CSV",
        }
    }

    /// The dialect whose columns the header has. More specific layouts are
    /// tried first: Proton's and `NordPass`'s headers contain Chrome's.
    pub fn recognise(header: &[String]) -> Option<Self> {
        let names: Vec<String> = header.iter().map(|h| normalise(h)).collect();
        let has = |wanted: &[&str]| wanted.iter().all(|w| names.iter().any(|n| n == w));
        let has_any = |wanted: &[&str]| wanted.iter().any(|w| names.iter().any(|n| n == w));
        let found = if has(&[
            "type",
            "name",
            "login_uri",
            "login_username",
            "login_password",
        ]) {
            Self::Bitwarden
        } else if has(&[
            "type", "name", "url", "email", "username", "password", "vault",
        ]) {
            Self::ProtonPass
        } else if has(&[
            "name",
            "url",
            "username",
            "password",
            "cardnumber",
            "folder",
        ]) {
            Self::NordPass
        } else if has(&[
            "username",
            "username2",
            "title",
            "password",
            "url",
            "category",
        ]) {
            Self::Dashlane
        } else if has(&["url", "username", "password", "httprealm", "guid"]) {
            Self::Firefox
        } else if has(&["url", "username", "password", "extra", "name", "grouping"]) {
            Self::LastPass
        } else if has(&["group", "title", "username", "password", "url"]) {
            Self::KeePassXc
        } else if has(&["account", "login name", "password", "web site"]) {
            Self::KeePass
        } else if has(&["title", "username", "password"]) && has_any(&["url", "website"]) {
            Self::OnePassword
        } else if has(&["name", "url", "username", "password"]) {
            Self::Chrome
        } else {
            return None;
        };
        Some(found)
    }

    /// The role of a (normalised) column name in this dialect.
    fn role(self, name: &str) -> Option<Role> {
        use Role::{
            CardCvc, CardExpiry, CardHolder, CardNumber, Created, Email, Favourite, Fields, Flag,
            Folder, Ignore, Notes, Password, Title, Totp, Type, Updated, Url, Username,
        };
        let role = match (self, name) {
            (_, "username" | "login_username" | "login name") => Username,
            (_, "password" | "login_password") => Password,
            (Self::Bitwarden, "folder" | "collections")
            | (Self::LastPass, "grouping")
            | (Self::KeePassXc, "group")
            | (Self::Dashlane, "category")
            | (Self::ProtonPass, "vault")
            | (Self::NordPass, "folder") => Folder,
            (Self::Bitwarden, "favorite")
            | (Self::LastPass, "fav")
            | (Self::OnePassword, "favorite" | "favorite status") => Favourite,
            (Self::Bitwarden, "fields") => Fields,
            (Self::Bitwarden, "reprompt")
            | (Self::Firefox, "formactionorigin" | "guid" | "timelastused")
            | (Self::KeePassXc, "icon")
            | (Self::ProtonPass, "autofillurls") => Ignore,
            (Self::Bitwarden | Self::ProtonPass, "type") => Type,
            (Self::Bitwarden, "login_totp")
            | (Self::OnePassword, "otpauth" | "one-time password")
            | (_, "totp" | "otpsecret" | "otpurl") => Totp,
            (Self::Firefox, "timecreated") | (_, "created" | "createtime") => Created,
            (Self::Firefox, "timepasswordchanged") | (_, "last modified" | "modifytime") => Updated,
            (Self::LastPass, "extra") | (_, "notes" | "note" | "comments") => Notes,
            (Self::OnePassword, "archived" | "archived status") => Flag,
            (Self::ProtonPass | Self::NordPass, "email") => Email,
            (Self::NordPass, "cardholdername") => CardHolder,
            (Self::NordPass, "cardnumber") => CardNumber,
            (Self::NordPass, "cvc") => CardCvc,
            (Self::NordPass, "expirydate") => CardExpiry,
            (_, "title" | "name" | "account") => Title,
            (_, "url" | "login_uri" | "website" | "web site") => Url,
            _ => return None,
        };
        Some(role)
    }
}

impl Layout {
    pub fn for_dialect(dialect: Dialect, header: &[String]) -> Self {
        let mut layout = Self::default();
        for name in header {
            let role = dialect.role(&normalise(name));
            // The first column of a role wins; a repeat becomes a custom field.
            let taken = role.is_some_and(|r| layout.index(r).is_some());
            layout.roles.push(if taken { None } else { role });
        }
        layout
    }

    pub fn from_mapping(mapping: &ColumnMapping, columns: usize) -> Self {
        let mut layout = Self {
            roles: vec![None; columns],
        };
        let chosen = [
            (mapping.title, Role::Title),
            (mapping.username, Role::Username),
            (mapping.password, Role::Password),
            (mapping.url, Role::Url),
            (mapping.notes, Role::Notes),
            (mapping.totp, Role::Totp),
            (mapping.folder, Role::Folder),
        ];
        for (index, role) in chosen {
            if let Some(slot) = index.and_then(|i| layout.roles.get_mut(i)) {
                *slot = Some(role);
            }
        }
        layout
    }

    /// The column of a role.
    pub fn index(&self, role: Role) -> Option<usize> {
        self.roles.iter().position(|r| *r == Some(role))
    }

    /// The role of a column (`None`: a custom field).
    pub fn role_of(&self, column: usize) -> Option<Role> {
        self.roles.get(column).copied().flatten()
    }
}

fn normalise(name: &str) -> String {
    name.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(line: &str) -> Vec<String> {
        line.split(',').map(str::to_owned).collect()
    }

    #[test]
    fn each_known_header_names_its_manager() {
        let cases = [
            (
                "folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,\
                 login_password,login_totp",
                Dialect::Bitwarden,
            ),
            ("name,url,username,password,note", Dialect::Chrome),
            (
                "type,name,url,email,username,password,note,totp,createTime,modifyTime,vault",
                Dialect::ProtonPass,
            ),
            (
                "Title,Website,Username,Password,One-time password,Favorite status,\
                 Archived status,Tags,Notes",
                Dialect::OnePassword,
            ),
            ("title,notes,username,password,url", Dialect::OnePassword),
            (
                "Account,Login Name,Password,Web Site,Comments",
                Dialect::KeePass,
            ),
        ];
        for (line, dialect) in cases {
            assert_eq!(Dialect::recognise(&header(line)), Some(dialect), "{line}");
        }
        assert_eq!(Dialect::recognise(&header("a,b,c")), None);
    }
}
