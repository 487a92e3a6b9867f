# Types lines into an interactive zsh in a pseudo-terminal, presses Tab after each, and writes
# the completions offered for line N to OUT/N, one compadd call a line.
#   zsh -f zsh_complete.zsh OUT SCRIPT LINE...
zmodload zsh/zpty || exit 2
out=$1 script=$2
shift 2
zpty z 'zsh -f -i'
zpty -w z 'autoload -U compinit; compinit -u -D'
zpty -w z "source ${(q)script}; __out=${(q)out}; __n=0"
zpty -w z 'compadd() { local -a __hits; builtin compadd -O __hits "$@"; print -r -- "${(j:,:)__hits}" >> "$__out/$__n"; builtin compadd "$@"; }'
integer n=0 tries
for line in "$@"; do
  (( n++ ))
  zpty -w z "__n=$n"
  zpty -w -n z "$line"$'\t'
  for (( tries = 0; tries < 100; tries++ )); do
    # Done when some completion offered a word (the first calls may offer none).
    [[ -f $out/$n && -n ${(M)${(f)"$(<$out/$n)"}:#?*} ]] && break
    sleep 0.05
  done
  sleep 0.2
  # Ctrl-U: clear the line for the next one.
  zpty -w -n z $'\C-u'
done
zpty -d z
