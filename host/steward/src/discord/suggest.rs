//! Autocomplete answers: the service lists candidates (backup ids, versions
//! to roll back to), this picks what matches what the user typed so far, in
//! the shape Discord takes (at most 25 choices of at most 100 characters).

use poise::serenity_prelude as serenity;

/// One thing the user may pick: the value sent back and the label shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub value: String,
    pub label: String,
}

const MAX_CHOICES: usize = 25;
const MAX_LEN: usize = 100;

/// Candidates whose value or label contains `typed` (ignoring case);
/// prefix matches first, then the candidates' own order.
pub fn matching(candidates: &[Candidate], typed: &str) -> Vec<Candidate> {
    let typed = typed.trim().to_lowercase();
    let mut hits: Vec<(bool, &Candidate)> = candidates
        .iter()
        .filter_map(|c| {
            let value = c.value.to_lowercase();
            let label = c.label.to_lowercase();
            let prefix = value.starts_with(&typed) || label.starts_with(&typed);
            (prefix || value.contains(&typed) || label.contains(&typed)).then_some((prefix, c))
        })
        .collect();
    hits.sort_by_key(|(prefix, _)| !prefix);
    hits.into_iter()
        .filter(|(_, c)| c.value.chars().count() <= MAX_LEN)
        .take(MAX_CHOICES)
        .map(|(_, c)| Candidate {
            value: c.value.clone(),
            label: c.label.chars().take(MAX_LEN).collect(),
        })
        .collect()
}

/// The response poise sends for an autocomplete callback.
pub fn response(candidates: &[Candidate], typed: &str) -> serenity::CreateAutocompleteResponse {
    serenity::CreateAutocompleteResponse::new().set_choices(
        matching(candidates, typed)
            .into_iter()
            .map(|c| serenity::AutocompleteChoice::new(c.label, c.value))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(value: &str, label: &str) -> Candidate {
        Candidate {
            value: value.into(),
            label: label.into(),
        }
    }

    #[test]
    fn prefix_matches_come_before_inner_matches() {
        let all = [
            c("b-0207", "nightly 2024-02-07"),
            c("b-0301", "before update 2024-03-01"),
            c("n-0101", "b-side"),
        ];
        let got: Vec<String> = matching(&all, "B-").into_iter().map(|c| c.value).collect();
        assert_eq!(got, ["b-0207", "b-0301", "n-0101"]);
        let got: Vec<String> = matching(&all, "update")
            .into_iter()
            .map(|c| c.value)
            .collect();
        assert_eq!(got, ["b-0301"]);
    }

    #[test]
    fn at_most_twenty_five_choices_are_offered() {
        let all: Vec<Candidate> = (0..40)
            .map(|i| c(&format!("v{i}"), &format!("v{i}")))
            .collect();
        assert_eq!(matching(&all, "").len(), 25);
    }
}
