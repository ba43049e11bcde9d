//! Crypto wallets in the window: the keys and addresses derived from a
//! wallet secret (never stored), the new-wallet wizard with its backup
//! check, the seed check under the editor's seed field, watch-only address
//! lists and BIP21 payment requests.
//!
//! Everything derived here is public (extended public keys, descriptors,
//! addresses). The seed itself is read from the secret each time keys are
//! derived and dropped (zeroized) straight after.

use rand::SeedableRng;
use uuid::Uuid;

use super::Command;
use super::vault_view::{FieldRows, field_row_ui};
use super::widgets;
use crate::vault::{BoxKind, Secret, SecretContent, SecretText};
use crate::wallet::{
    self, Account, AddressKind, Coin, MnemonicProblem, Purpose, Seed, WordCount, bip21, mnemonic,
    watch_only,
};

/// How many addresses are listed at first, and added by "Show more".
const ADDRESS_PAGE: u32 = 10;

/// How many words the backup check asks for.
const CHECKED_WORDS: usize = 3;

/// The wallet panel under a Crypto Wallets secret: which account is shown
/// and what was derived for it (public data only, computed on change).
pub(crate) struct WalletPanel {
    /// The secret (and its version) the panel was made for.
    secret: (Uuid, i64),
    coin: Coin,
    purpose: Purpose,
    account: u32,
    derived: Result<Derived, String>,
    /// The (coin, purpose, account) `derived` belongs to.
    derived_for: (Coin, Purpose, u32),
    /// The first Ethereum address of the seed (m/44'/60'/0'/0/0).
    ethereum: Option<String>,
    /// What was assumed about the secret's `coin` or `account` text.
    assumed: Vec<String>,
    request: PaymentRequest,
}

struct Derived {
    account: Account,
    /// (label, value) rows: fingerprint, path, account keys, descriptors.
    keys: Vec<(String, String)>,
    receive: Vec<String>,
}

#[derive(Default)]
struct PaymentRequest {
    address: usize,
    amount: String,
    label: String,
    message: String,
}

/// The seed check of a wallet secret's content: the phrase, or why not.
fn checked_seed(content: &SecretContent) -> Result<wallet::SeedPhrase, MnemonicProblem> {
    mnemonic::check(content.get("seed"))
}

impl WalletPanel {
    fn new(secret: &Secret) -> Self {
        let content = &secret.content;
        let mut assumed = Vec::new();
        let coin_text = content.get("coin").trim();
        let coin = Coin::parse(coin_text).unwrap_or_else(|| {
            if !coin_text.is_empty() {
                assumed.push(format!(
                    "Qvault derives no keys for the coin \u{201c}{coin_text}\u{201d}; \
                     showing Bitcoin. Choose another coin below."
                ));
            }
            Coin::Bitcoin
        });
        let account_text = content.get("account").trim();
        let account = account_text.parse().unwrap_or_else(|_| {
            if !account_text.is_empty() {
                assumed.push(format!(
                    "The account \u{201c}{account_text}\u{201d} is not a number; showing account 0."
                ));
            }
            0
        });
        let purpose = coin.default_purpose();
        let ethereum = checked_seed(content).ok().and_then(|phrase| {
            let seed = Seed::from_phrase(&phrase, content.get("passphrase"));
            let eth = Account::derive(&seed, Coin::Ethereum, Purpose::Bip44, 0).ok()?;
            eth.addresses(0, 1).ok()?.into_iter().next()
        });
        Self {
            secret: (secret.id, secret.updated_ms),
            coin,
            purpose,
            account,
            derived: derive(content, coin, purpose, account),
            derived_for: (coin, purpose, account),
            ethereum,
            assumed,
            request: PaymentRequest::default(),
        }
    }

    /// Coin, script type and account index of the account shown; true
    /// while the account number is being dragged.
    fn controls_ui(&mut self, ui: &mut egui::Ui) -> bool {
        ui.horizontal(|ui| {
            let label = ui.label("Coin");
            egui::ComboBox::from_id_salt("wallet-coin")
                .selected_text(self.coin.name())
                .show_ui(ui, |ui| {
                    for coin in Coin::ALL {
                        ui.selectable_value(&mut self.coin, coin, coin.name());
                    }
                })
                .response
                .labelled_by(label.id);
            let label = ui.label("Script type");
            egui::ComboBox::from_id_salt("wallet-purpose")
                .selected_text(self.purpose.name())
                .show_ui(ui, |ui| {
                    for purpose in self.coin.purposes() {
                        ui.selectable_value(&mut self.purpose, *purpose, purpose.name());
                    }
                })
                .response
                .labelled_by(label.id);
            let label = ui.label("Account");
            ui.add(egui::DragValue::new(&mut self.account).range(0..=wallet::MAX_INDEX))
                .labelled_by(label.id)
                .dragged()
        })
        .inner
    }

    /// Derives again when the coin, script type or account changed.
    fn refresh(&mut self, content: &SecretContent) {
        if !self.coin.purposes().contains(&self.purpose) {
            self.purpose = self.coin.default_purpose();
        }
        let wanted = (self.coin, self.purpose, self.account);
        if wanted != self.derived_for {
            self.derived = derive(content, self.coin, self.purpose, self.account);
            self.derived_for = wanted;
            self.request.address = 0;
        }
    }
}

/// Derives the account, its keys and first addresses from the secret's seed.
fn derive(
    content: &SecretContent,
    coin: Coin,
    purpose: Purpose,
    index: u32,
) -> Result<Derived, String> {
    let phrase = match checked_seed(content) {
        Ok(phrase) => phrase,
        Err(MnemonicProblem::Empty) => {
            return Err("This wallet has no seed words yet; add them with Edit.".into());
        }
        Err(problem) => {
            return Err(format!(
                "The seed words are not a valid BIP39 seed phrase: {problem}. \
                 No keys can be derived until they are corrected (Edit)."
            ));
        }
    };
    let seed = Seed::from_phrase(&phrase, content.get("passphrase"));
    let account = Account::derive(&seed, coin, purpose, index).map_err(|e| e.to_string())?;
    let receive = account
        .addresses(0, ADDRESS_PAGE)
        .map_err(|e| e.to_string())?;
    let mut keys = vec![
        (
            "Master fingerprint".to_owned(),
            account.master_fingerprint(),
        ),
        ("Derivation path".to_owned(), account.path()),
    ];
    let xpub = account.xpub();
    let slip132 = account.slip132_xpub();
    let prefix = |key: &str| key.get(..4).unwrap_or("Account key").to_owned();
    if slip132 != xpub {
        keys.push((prefix(&slip132), slip132));
    }
    keys.push((prefix(&xpub), xpub));
    if let Some(descriptor) = account.descriptor() {
        keys.push(("Receive descriptor".to_owned(), descriptor));
    }
    if let Some(descriptor) = account.change_descriptor() {
        keys.push(("Change descriptor".to_owned(), descriptor));
    }
    Ok(Derived {
        account,
        keys,
        receive,
    })
}

/// Draws the derived keys and addresses of a Crypto Wallets secret.
pub(crate) fn panel_ui(
    ui: &mut egui::Ui,
    panel: &mut Option<WalletPanel>,
    secret: &Secret,
    revealed: &mut std::collections::HashSet<String>,
    commands: &mut Vec<Command>,
) {
    if panel
        .as_ref()
        .is_none_or(|p| p.secret != (secret.id, secret.updated_ms))
    {
        *panel = Some(WalletPanel::new(secret));
    }
    let Some(panel) = panel.as_mut() else {
        return;
    };
    ui.add_space(12.0);
    ui.heading("Keys and addresses");
    ui.label(
        egui::RichText::new("Derived from the seed while the vault is open; never stored.").weak(),
    );
    for note in &panel.assumed {
        ui.colored_label(ui.visuals().warn_fg_color, note.as_str());
    }
    // Stretching the seed takes a few milliseconds: not on every frame of a drag.
    if !panel.controls_ui(ui) {
        panel.refresh(&secret.content);
    }
    let derived = match &mut panel.derived {
        Ok(derived) => derived,
        Err(problem) => {
            ui.colored_label(ui.visuals().error_fg_color, problem.as_str());
            return;
        }
    };
    let mut rows = FieldRows {
        revealed,
        commands,
        value_width: super::vault_view::value_width(ui),
        // Addresses and payment URIs go into QR codes as `bitcoin:` URIs.
        bitcoin_qr: true,
        owner: None,
    };
    let account = &derived.account;
    egui::Grid::new("wallet-keys")
        .num_columns(3)
        .spacing([12.0, 8.0])
        .show(ui, |ui| {
            for (label, value) in &derived.keys {
                field_row_ui(ui, &mut rows, label, label, value, false);
            }
        });
    ui.add_space(8.0);
    ui.strong(format!(
        "Receive addresses: {} (at {}/0/i)",
        account.address_kind().name(),
        account.path()
    ));
    egui::Grid::new("wallet-addresses")
        .num_columns(3)
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            for (i, address) in derived.receive.iter().enumerate() {
                let label = format!("Address {i}");
                field_row_ui(ui, &mut rows, &label, &label, address, false);
            }
        });
    let more = u32::try_from(derived.receive.len()).unwrap_or(u32::MAX);
    if ui.button("Show more addresses").clicked() {
        match account.addresses(more, ADDRESS_PAGE) {
            Ok(next) => derived.receive.extend(next),
            Err(e) => rows.commands.push(Command::Status(e.to_string())),
        }
    }
    if let Some(ethereum) = panel
        .ethereum
        .as_ref()
        .filter(|_| account.coin() != Coin::Ethereum)
    {
        ui.add_space(8.0);
        ui.strong("Ethereum, first address (at m/44'/60'/0'/0/0)");
        egui::Grid::new("wallet-ethereum")
            .num_columns(3)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                let label = "Ethereum address";
                field_row_ui(ui, &mut rows, label, label, ethereum, false);
            });
    }
    if matches!(account.coin(), Coin::Bitcoin | Coin::BitcoinTestnet) {
        payment_request_ui(ui, &mut panel.request, &derived.receive, &mut rows);
    }
}

/// The BIP21 builder: an address of the list, amount, label and message.
fn payment_request_ui(
    ui: &mut egui::Ui,
    request: &mut PaymentRequest,
    addresses: &[String],
    rows: &mut FieldRows<'_>,
) {
    ui.add_space(8.0);
    ui.strong("Payment request (BIP21)");
    let Some(address) = addresses.get(request.address).or_else(|| addresses.first()) else {
        return;
    };
    egui::Grid::new("payment-request")
        .num_columns(2)
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            let label = ui.label("Pay to");
            egui::ComboBox::from_id_salt("request-address")
                .selected_text(format!("Address {}", request.address))
                .width(rows.value_width)
                .show_ui(ui, |ui| {
                    for (i, option) in addresses.iter().enumerate() {
                        ui.selectable_value(&mut request.address, i, format!("{i}: {option}"));
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
            for (name, value, hint) in [
                ("Amount (BTC)", &mut request.amount, "e.g. 0.0015"),
                ("Label", &mut request.label, "who is paid"),
                ("Message", &mut request.message, "what it is for"),
            ] {
                let label = ui.label(name);
                ui.add(egui::TextEdit::singleline(value).hint_text(hint))
                    .labelled_by(label.id);
                ui.end_row();
            }
        });
    match bip21::uri(
        address,
        Some(&request.amount),
        Some(&request.label),
        Some(&request.message),
    ) {
        Ok(uri) => {
            egui::Grid::new("payment-uri")
                .num_columns(3)
                .spacing([12.0, 6.0])
                .show(ui, |ui| {
                    field_row_ui(ui, rows, "Payment URI", "Payment URI", &uri, false);
                });
        }
        Err(e) => {
            ui.colored_label(ui.visuals().error_fg_color, e.to_string());
        }
    }
}

/// The line under a seed field in the editor. In a Crypto Wallets box an
/// invalid phrase is an error (Save refuses it); in Crypto Backups, which
/// may hold other kinds of keys, only a warning.
pub(crate) fn seed_check_ui(ui: &mut egui::Ui, kind: BoxKind, seed: &str) {
    match mnemonic::check(seed) {
        Ok(phrase) => {
            ui.colored_label(
                egui::Color32::from_rgb(40, 150, 60),
                format!(
                    "Valid {}-word BIP39 seed phrase ({:?} word list)",
                    phrase.word_count(),
                    phrase.language()
                ),
            );
        }
        Err(MnemonicProblem::Empty) => {}
        Err(problem) if kind == BoxKind::CryptoWallets => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("Not a valid seed phrase: {problem}"),
            );
        }
        Err(problem) => {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!(
                    "Warning: not a BIP39 seed phrase ({problem}). \
                     Fine if this is another kind of key."
                ),
            );
        }
    }
}

/// Why a Crypto Wallets draft may not be saved with the Save button: its
/// seed words are present but not a valid BIP39 phrase.
pub(crate) fn draft_problem(kind: BoxKind, draft: &SecretContent) -> Option<String> {
    if kind != BoxKind::CryptoWallets {
        return None;
    }
    match checked_seed(draft) {
        Ok(_) | Err(MnemonicProblem::Empty) => None,
        Err(problem) => Some(format!(
            "Save refused: the seed words are not a valid seed phrase ({problem}). \
             Correct them, or clear the field. (Leaving this secret keeps them as typed.)"
        )),
    }
}

/// The new-wallet wizard: options, the words shown once, then three of
/// them typed back before the wallet is saved.
pub(crate) struct NewWallet {
    box_id: Uuid,
    name: String,
    coin: Coin,
    words: WordCount,
    passphrase: SecretText,
    step: Step,
    error: Option<String>,
    /// Put the cursor in the first word field of the backup check.
    focus_first: bool,
}

enum Step {
    Options,
    Words(wallet::SeedPhrase),
    Confirm {
        phrase: wallet::SeedPhrase,
        /// 0-based positions asked for, in increasing order.
        positions: Vec<usize>,
        typed: Vec<SecretText>,
    },
}

/// What the wizard asks of the session at the end of a frame.
pub(crate) enum WizardOutcome {
    Open,
    Cancelled,
    Save(Box<SecretContent>),
}

impl NewWallet {
    pub fn new(box_id: Uuid) -> Self {
        Self {
            box_id,
            name: "My wallet".into(),
            coin: Coin::Bitcoin,
            words: WordCount::TwentyFour,
            passphrase: SecretText::default(),
            step: Step::Options,
            error: None,
            focus_first: false,
        }
    }

    pub fn box_id(&self) -> Uuid {
        self.box_id
    }

    /// Shows why the wallet could not be saved; the wizard stays open.
    pub fn failed(&mut self, error: String) {
        self.error = Some(error);
    }

    pub fn ui(&mut self, ctx: &egui::Context) -> WizardOutcome {
        let mut outcome = WizardOutcome::Open;
        super::dialogs::window("New wallet").show(ctx, |ui| {
            ui.set_max_width(560.0);
            outcome = match &self.step {
                Step::Options => self.options_ui(ui),
                Step::Words(_) => self.words_ui(ui),
                Step::Confirm { .. } => self.confirm_ui(ui),
            };
            if let Some(error) = &self.error {
                ui.colored_label(ui.visuals().error_fg_color, error.as_str());
            }
        });
        outcome
    }

    fn options_ui(&mut self, ui: &mut egui::Ui) -> WizardOutcome {
        let label = ui.label("Wallet name");
        ui.add(egui::TextEdit::singleline(&mut self.name))
            .labelled_by(label.id);
        ui.horizontal(|ui| {
            let label = ui.label("Coin");
            egui::ComboBox::from_id_salt("new-wallet-coin")
                .selected_text(self.coin.name())
                .show_ui(ui, |ui| {
                    for coin in [Coin::Bitcoin, Coin::BitcoinTestnet, Coin::BitcoinCash] {
                        ui.selectable_value(&mut self.coin, coin, coin.name());
                    }
                })
                .response
                .labelled_by(label.id);
        });
        ui.horizontal(|ui| {
            ui.label("Words");
            ui.radio_value(&mut self.words, WordCount::Twelve, "12 words");
            ui.radio_value(&mut self.words, WordCount::TwentyFour, "24 words");
        });
        ui.add_space(6.0);
        widgets::secret_field(
            ui,
            "BIP39 passphrase (optional)",
            &mut self.passphrase,
            true,
        );
        ui.colored_label(
            ui.visuals().warn_fg_color,
            "A passphrase makes a different wallet from the same words. If you forget it, \
             the funds are lost: nobody, not even Qvault, can recover them.",
        );
        ui.add_space(8.0);
        let mut outcome = WizardOutcome::Open;
        ui.horizontal(|ui| {
            if ui.button("Generate words").clicked() {
                match mnemonic::generate(self.words) {
                    Ok(phrase) => {
                        self.error = None;
                        self.step = Step::Words(phrase);
                    }
                    Err(e) => self.error = Some(e.to_string()),
                }
            }
            if ui.button("Cancel").clicked() {
                outcome = WizardOutcome::Cancelled;
            }
        });
        outcome
    }

    fn words_ui(&mut self, ui: &mut egui::Ui) -> WizardOutcome {
        let Step::Words(phrase) = &self.step else {
            return WizardOutcome::Open;
        };
        ui.label(
            "Write these words down on paper, in order, and keep them offline: they are \
             the wallet. Anyone who has them can spend the funds. Next you type three of \
             them back.",
        );
        ui.add_space(6.0);
        words_grid(ui, phrase);
        ui.add_space(8.0);
        let mut outcome = WizardOutcome::Open;
        let mut next = false;
        ui.horizontal(|ui| {
            next = ui.button("I have written them down").clicked();
            if ui.button("Cancel").clicked() {
                outcome = WizardOutcome::Cancelled;
            }
        });
        if next {
            let count = phrase.word_count();
            let Ok(mut rng) = rand::rngs::StdRng::try_from_os_rng() else {
                self.error = Some("The operating system's random source failed".into());
                return outcome;
            };
            let mut positions = rand::seq::index::sample(&mut rng, count, CHECKED_WORDS).into_vec();
            positions.sort_unstable();
            let Step::Words(phrase) = std::mem::replace(&mut self.step, Step::Options) else {
                return outcome;
            };
            self.focus_first = true;
            self.step = Step::Confirm {
                phrase,
                typed: vec![SecretText::default(); positions.len()],
                positions,
            };
        }
        outcome
    }

    fn confirm_ui(&mut self, ui: &mut egui::Ui) -> WizardOutcome {
        let Step::Confirm {
            phrase,
            positions,
            typed,
        } = &mut self.step
        else {
            return WizardOutcome::Open;
        };
        ui.label("Type these words from your written copy to confirm it is complete.");
        ui.add_space(6.0);
        let words: Vec<&str> = phrase.words().collect();
        let mut all_right = true;
        let mut entered = false;
        egui::Grid::new("confirm-words")
            .num_columns(3)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                for (n, (position, entry)) in positions.iter().zip(typed.iter_mut()).enumerate() {
                    let label = ui.label(format!("Word {}", position + 1));
                    let response = ui
                        .add(
                            egui::TextEdit::singleline(entry)
                                .desired_width(180.0)
                                .min_size(egui::vec2(180.0, 0.0)),
                        )
                        .labelled_by(label.id);
                    if n == 0 && std::mem::take(&mut self.focus_first) {
                        response.request_focus();
                    }
                    entered |=
                        response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                    let typed_word = entry.as_str().trim();
                    let right = words
                        .get(*position)
                        .is_some_and(|w| w.eq_ignore_ascii_case(typed_word));
                    all_right &= right;
                    if right {
                        ui.colored_label(egui::Color32::from_rgb(40, 150, 60), "correct");
                    } else if !typed_word.is_empty() {
                        ui.colored_label(ui.visuals().error_fg_color, "does not match");
                    } else {
                        ui.label("");
                    }
                    ui.end_row();
                }
            });
        ui.add_space(8.0);
        let mut outcome = WizardOutcome::Open;
        let mut back = false;
        ui.horizontal(|ui| {
            let save = ui.add_enabled(all_right, egui::Button::new("Save wallet"));
            if save.clicked() || (entered && all_right) {
                let mut content = SecretContent::default();
                let name = self.name.trim();
                content.set("name", if name.is_empty() { "Wallet" } else { name });
                content.set("coin", self.coin.name());
                content.set("seed", &phrase.to_phrase());
                if !self.passphrase.is_empty() {
                    content.set("passphrase", self.passphrase.as_str());
                }
                content.set("account", "0");
                outcome = WizardOutcome::Save(Box::new(content));
            }
            back = ui.button("Show the words again").clicked();
            if ui.button("Cancel").clicked() {
                outcome = WizardOutcome::Cancelled;
            }
        });
        if back
            && let Step::Confirm { phrase, .. } = std::mem::replace(&mut self.step, Step::Options)
        {
            self.step = Step::Words(phrase);
        }
        outcome
    }
}

/// The words in a numbered grid, four columns, read across.
fn words_grid(ui: &mut egui::Ui, phrase: &wallet::SeedPhrase) {
    egui::Grid::new("seed-words")
        .num_columns(4)
        .spacing([24.0, 8.0])
        .show(ui, |ui| {
            for (n, word) in phrase.words().enumerate() {
                ui.label(
                    egui::RichText::new(format!("{:>2}. {word}", n + 1))
                        .monospace()
                        .size(15.0),
                );
                if n % 4 == 3 {
                    ui.end_row();
                }
            }
        });
}

/// The watch-only tool: addresses of a pasted xpub/ypub/zpub or descriptor.
#[derive(Default)]
pub(crate) struct WatchOnlyView {
    /// What was pasted; zeroizing, since a private key may be pasted by mistake.
    text: SecretText,
    /// The address type chosen for a bare extended key; `None`: its own.
    kind: Option<AddressKind>,
    count: u32,
    focus: bool,
    /// What `text`, `kind` and `count` give, computed when one changes.
    listed: Option<Result<WatchList, String>>,
}

struct WatchList {
    description: String,
    /// A bare extended key, whose address type can be chosen.
    bare_key: bool,
    kind: AddressKind,
    descriptor: Option<String>,
    /// (label, path, address)
    addresses: Vec<(String, String, String)>,
}

fn watch_list(text: &str, kind: Option<AddressKind>, count: u32) -> Result<WatchList, String> {
    let mut watch = watch_only::parse(text).map_err(|e| e.to_string())?;
    if let Some(kind) = kind
        && kind != watch.address_kind()
    {
        watch = watch.with_address_kind(kind).map_err(|e| e.to_string())?;
    }
    let addresses = watch
        .addresses(0, count)
        .map_err(|e| e.to_string())?
        .into_iter()
        .zip(0u32..)
        .map(|(address, i)| (format!("Address {i}"), watch.address_path(i), address))
        .collect();
    Ok(WatchList {
        description: watch.description(),
        bare_key: !text.contains('('),
        kind: watch.address_kind(),
        descriptor: watch.descriptor(),
        addresses,
    })
}

impl WatchOnlyView {
    pub fn new() -> Self {
        Self {
            count: ADDRESS_PAGE,
            focus: true,
            ..Self::default()
        }
    }

    /// Draws the dialog; false once the user closes it.
    pub fn ui(&mut self, ctx: &egui::Context, commands: &mut Vec<Command>) -> bool {
        let mut open = true;
        super::dialogs::window("Watch-only addresses").show(ctx, |ui| {
            ui.set_max_width(720.0);
            ui.label("Paste an xpub, ypub, zpub (or tpub, upub, vpub) or a descriptor.");
            let label = ui.label("Extended public key or descriptor");
            let response = ui
                .add(
                    egui::TextEdit::multiline(&mut self.text)
                        .desired_rows(2)
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(label.id);
            if std::mem::take(&mut self.focus) {
                response.request_focus();
            }
            if response.changed() {
                // A new key lists its own kind of address from the start.
                self.kind = None;
                self.count = ADDRESS_PAGE;
                self.listed = None;
            }
            egui::ScrollArea::vertical()
                .max_height(420.0)
                .show(ui, |ui| self.addresses_ui(ui, commands));
            if ui.button("Close").clicked() {
                open = false;
            }
        });
        open
    }

    fn addresses_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        if self.text.as_str().trim().is_empty() {
            return;
        }
        let (text, kind, count) = (self.text.as_str(), self.kind, self.count);
        let listed = self
            .listed
            .get_or_insert_with(|| watch_list(text, kind, count));
        let list = match listed {
            Ok(list) => list,
            Err(e) => {
                ui.colored_label(ui.visuals().error_fg_color, e.as_str());
                return;
            }
        };
        ui.label(list.description.as_str());
        let mut changed = false;
        if list.bare_key {
            let mut chosen = list.kind;
            ui.horizontal(|ui| {
                let label = ui.label("Address type");
                egui::ComboBox::from_id_salt("watch-kind")
                    .selected_text(chosen.name())
                    .show_ui(ui, |ui| {
                        for option in [
                            AddressKind::P2pkh,
                            AddressKind::P2shP2wpkh,
                            AddressKind::P2wpkh,
                            AddressKind::P2tr,
                            AddressKind::CashAddr,
                        ] {
                            ui.selectable_value(&mut chosen, option, option.name());
                        }
                    })
                    .response
                    .labelled_by(label.id);
            });
            if chosen != list.kind {
                self.kind = Some(chosen);
                changed = true;
            }
        }
        let mut revealed = std::collections::HashSet::new();
        let mut rows = FieldRows {
            revealed: &mut revealed,
            commands,
            value_width: 440.0,
            bitcoin_qr: true,
            owner: None,
        };
        egui::Grid::new("watch-addresses")
            .num_columns(3)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                if let Some(descriptor) = &list.descriptor {
                    field_row_ui(ui, &mut rows, "Descriptor", "Descriptor", descriptor, false);
                }
                for (label, path, address) in &list.addresses {
                    field_row_ui(ui, &mut rows, label, path, address, false);
                }
            });
        if ui.button("Show more addresses").clicked() {
            self.count = self.count.saturating_add(ADDRESS_PAGE);
            changed = true;
        }
        if changed {
            self.listed = None;
        }
    }
}
