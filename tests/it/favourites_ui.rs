//! Favourites first, and the Favourites and Recently used lists above the
//! boxes, driven in the window.

use crate::common::ui::{click, has_label, type_into};
use egui_kittest::kittest::{NodeT, Queryable};

fn rows(harness: &egui_kittest::Harness<'_, qvault::ui::QvaultApp>) -> Vec<String> {
    harness
        .query_all_by_label_contains(".example\n")
        .filter_map(|node| node.accesskit_node().label())
        .collect()
}

#[test]
fn a_starred_secret_comes_first_and_a_copied_one_is_recently_used() {
    let dir = tempfile::tempdir().expect("temp dir");
    let password = "favourites window test passphrase 2";
    let mut harness = crate::common::ui::unlocked_with_logins_box(dir.path(), password);
    for (site, user) in [("alpha.example", "ann"), ("beta.example", "bob")] {
        click(&mut harness, "New secret");
        type_into(&mut harness, "Site or app", site);
        type_into(&mut harness, "Username", user);
        click(&mut harness, "Save");
    }
    let order = rows(&harness);
    assert!(order[0].starts_with("alpha.example"), "{order:?}");

    // beta is selected (just saved): star it, and it leads the box.
    click(&mut harness, "Add to favourites");
    let order = rows(&harness);
    assert!(order[0].starts_with("\u{2605} beta.example"), "{order:?}");
    assert!(has_label(&harness, "Remove from favourites"));

    click(&mut harness, "\u{2605} Favourites");
    assert!(has_label(&harness, "Starred secrets from every box"));
    let order = rows(&harness);
    assert_eq!(order.len(), 1, "{order:?}");
    assert!(
        order[0].starts_with("\u{2605} beta.example\nLogins"),
        "{order:?}"
    );

    // Copying from alpha makes it recently used (the copy itself may fail
    // here: the test has no clipboard).
    click(&mut harness, "Recently used");
    assert!(has_label(&harness, "Nothing here yet."));
    click(&mut harness, "Logins (2)");
    harness.get_by_label_contains("alpha.example\n").click();
    harness.run_steps(3);
    click(&mut harness, "Copy Username");
    click(&mut harness, "Recently used");
    let order = rows(&harness);
    assert_eq!(order.len(), 1, "{order:?}");
    assert!(order[0].starts_with("alpha.example\nLogins"), "{order:?}");
}
