//! Bulk drawdowns: the Import requests (CSV) screen and its dry run.

use super::{field_error, number, Locale};
use crate::domain::{ImportColumn, ImportRule};

catalog! {
    /// The Import requests (CSV) screen.
    pub enum ImportText {
        ImportRequests => ("Import requests (CSV)", "Importer des demandes (CSV)"),
        ImportHint => (
            "One row per customer and product, with the columns Customer account, Website, Contact name, Contact email, Product and Quantity (in English or French). The rows of one customer make one request. Choosing the file checks it; nothing is submitted before Submit all.",
            "Une ligne par client et par produit, avec les colonnes Compte client, Site web, Nom du contact, Courriel du contact, Produit et Quantité (en français ou en anglais). Les lignes d'un même client forment une demande. Choisir le fichier le vérifie ; rien n'est soumis avant Tout soumettre.",
        ),
        CsvFile => ("CSV file", "Fichier CSV"),
        SubmitAll => ("Submit all", "Tout soumettre"),
        RowsCaption => ("Rows of the file", "Lignes du fichier"),
        Line => ("Line", "Ligne"),
        Problems => ("Problems", "Problèmes"),
        RowReady => ("Ready", "Prêt"),
        FileProblems => ("Problems of the file", "Problèmes du fichier"),
        EffectCaption => ("Effect on the order", "Effet sur la commande"),
        Requested => ("Requested", "Demandé"),
        AvailableAfter => ("Available after", "Disponible ensuite"),
        ErrorInvalidImport => (
            "The file has problems, listed by row below. Nothing was submitted.",
            "Le fichier comporte des problèmes, indiqués ligne par ligne ci-dessous. Rien n'a été soumis.",
        ),
        ChooseOrderFirst => (
            "Choose an order, then the file.",
            "Choisissez une commande, puis le fichier.",
        ),
    }
}

/// A column's name as the file's header gives it in `locale`.
pub fn column_text(locale: Locale, column: ImportColumn) -> &'static str {
    let fr = locale == Locale::Fr;
    match column {
        ImportColumn::CustomerAccount => {
            if fr {
                "Compte client"
            } else {
                "Customer account"
            }
        }
        ImportColumn::Website => {
            if fr {
                "Site web"
            } else {
                "Website"
            }
        }
        ImportColumn::ContactName => {
            if fr {
                "Nom du contact"
            } else {
                "Contact name"
            }
        }
        ImportColumn::ContactEmail => {
            if fr {
                "Courriel du contact"
            } else {
                "Contact email"
            }
        }
        ImportColumn::Product => {
            if fr {
                "Produit"
            } else {
                "Product"
            }
        }
        ImportColumn::Quantity => {
            if fr {
                "Quantité"
            } else {
                "Quantity"
            }
        }
    }
}

/// What is wrong, as the dry run says it.
pub fn import_rule_text(locale: Locale, rule: &ImportRule) -> String {
    let fr = locale == Locale::Fr;
    let n = |v: i64| number(locale, v);
    match rule {
        ImportRule::Field { error } => field_error(locale, error),
        ImportRule::Unreadable => if fr {
            "Cette ligne ne se lit pas en CSV."
        } else {
            "This row cannot be read as CSV."
        }
        .into(),
        ImportRule::NoRows => if fr {
            "Le fichier n'a aucune ligne sous son en-tête."
        } else {
            "The file has no rows under its header."
        }
        .into(),
        ImportRule::TooManyRows { max } => {
            if fr {
                format!(
                    "Le fichier a plus de {} lignes : importez-le en plusieurs fois.",
                    n(i64::from(*max))
                )
            } else {
                format!(
                    "The file has more than {} rows: import it in parts.",
                    n(i64::from(*max))
                )
            }
        }
        ImportRule::TooLarge { max_bytes } => {
            if fr {
                format!("Le fichier dépasse {} octets.", n(i64::from(*max_bytes)))
            } else {
                format!("The file is larger than {} bytes.", n(i64::from(*max_bytes)))
            }
        }
        ImportRule::MissingColumn { column } => {
            if fr {
                format!("L'en-tête n'a pas de colonne {}.", column_text(locale, *column))
            } else {
                format!("The header has no {} column.", column_text(locale, *column))
            }
        }
        ImportRule::UnknownColumn { header } => {
            if fr {
                format!("L'en-tête nomme une colonne inconnue : {header}.")
            } else {
                format!("The header names an unknown column: {header}.")
            }
        }
        ImportRule::NotOnTheOrder => if fr {
            "Ce produit n'est pas une ligne de la commande choisie."
        } else {
            "This product is not a line of the chosen order."
        }
        .into(),
        ImportRule::SeveralLines => if fr {
            "Plusieurs lignes de la commande ont ce produit : utilisez le formulaire Nouveau."
        } else {
            "Several lines of the order have this product: use the New form."
        }
        .into(),
        ImportRule::ProductTwice { line } => {
            if fr {
                format!("Ce client a déjà ce produit à la ligne {line}.")
            } else {
                format!("This customer already has this product on line {line}.")
            }
        }
        ImportRule::DiffersFromLine { line } => {
            if fr {
                format!("Diffère de la ligne {line}, la première de ce client.")
            } else {
                format!("Differs from line {line}, this customer's first row.")
            }
        }
        ImportRule::TogetherAboveAvailable { available, requested } => {
            if fr {
                format!("Toutes les demandes ensemble prennent {}, la ligne de commande n'a que {} disponible(s).", n(*requested), n(*available))
            } else {
                format!(
                    "All the requests together take {}; the order line has only {} available.",
                    n(*requested),
                    n(*available)
                )
            }
        }
    }
}

/// "3 rows, 2 requests, no problem" above the dry run's tables.
pub fn import_summary(locale: Locale, rows: usize, requests: u32, problems: usize) -> String {
    let rows = i64::try_from(rows).unwrap_or(i64::MAX);
    let problems_count = i64::try_from(problems).unwrap_or(i64::MAX);
    match locale {
        Locale::En => format!(
            "{} {}, {} {}, {}.",
            number(locale, rows),
            if rows == 1 { "row" } else { "rows" },
            requests,
            if requests == 1 { "request" } else { "requests" },
            match problems {
                0 => "no problem".to_string(),
                1 => "1 problem".to_string(),
                _ => format!("{} problems", number(locale, problems_count)),
            }
        ),
        Locale::Fr => format!(
            "{} {}, {} {}, {}.",
            number(locale, rows),
            if rows <= 1 { "ligne" } else { "lignes" },
            requests,
            if requests <= 1 { "demande" } else { "demandes" },
            match problems {
                0 => "aucun problème".to_string(),
                1 => "1 problème".to_string(),
                _ => format!("{} problèmes", number(locale, problems_count)),
            }
        ),
    }
}

/// "2 requests submitted" once Submit all went through.
pub fn imported_requests(locale: Locale, count: usize) -> String {
    match (locale, count) {
        (Locale::En, 1) => "1 request submitted.".into(),
        (Locale::En, n) => format!("{n} requests submitted."),
        (Locale::Fr, 1) => "1 demande soumise.".into(),
        (Locale::Fr, n) => format!("{n} demandes soumises."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dry_run_speaks_both_languages() {
        assert_eq!(
            import_summary(Locale::En, 3, 2, 0),
            "3 rows, 2 requests, no problem."
        );
        assert_eq!(
            import_summary(Locale::Fr, 1, 1, 2),
            "1 ligne, 1 demande, 2 problèmes."
        );
        assert_eq!(imported_requests(Locale::Fr, 2), "2 demandes soumises.");
        assert_eq!(
            import_rule_text(Locale::En, &ImportRule::ProductTwice { line: 2 }),
            "This customer already has this product on line 2."
        );
        assert_eq!(ImportText::SubmitAll.text(Locale::Fr), "Tout soumettre");
        assert_eq!(
            ImportText::ImportRequests.text(Locale::Fr),
            "Importer des demandes (CSV)"
        );
    }
}
