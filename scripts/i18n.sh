#!/usr/bin/env bash
# Translations of our plugins (English source strings; French, the default, and German).
#   scripts/i18n.sh           extract new strings into the .pot, merge them into the .po
#                             files, compile the .mo files (commit all three)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
# folder:domain — the domain is "ckanext-" + the plugin's name (CKAN's DefaultTranslation).
for entry in ckanext-grandest/ckanext/grandest:grandest \
             harvesters/ckanext/grandest_harvesters:grandest_harvest \
             ckanext-consultation/ckanext/consultation:consultation; do
  dir=${entry%%:*}
  domain=ckanext-${entry##*:}
  pybabel -q extract -F babel.cfg -k _msg --no-location --sort-output --omit-header \
    -o "$dir/i18n/$domain.pot" "$dir"
  for lang in fr de; do
    po=$dir/i18n/$lang/LC_MESSAGES/$domain.po
    if [ -f "$po" ]; then
      pybabel -q update -D "$domain" -i "$dir/i18n/$domain.pot" -d "$dir/i18n" -l "$lang" --no-fuzzy-matching
    else
      pybabel -q init -D "$domain" -i "$dir/i18n/$domain.pot" -d "$dir/i18n" -l "$lang"
    fi
  done
  pybabel -q compile -D "$domain" -d "$dir/i18n" --statistics
done
