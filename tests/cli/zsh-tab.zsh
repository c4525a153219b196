# zsh-tab.zsh - what zsh's completion offers, for t21-completion.bats.
#
#   zsh -f zsh-tab.zsh FPATH_DIR OUT LINE...
#
# Starts an interactive zsh on a pseudo-terminal (zsh/zpty) that loads the
# completion system with compinit and finds _retort in FPATH_DIR; for each
# LINE types it and presses a key bound to zsh's own complete-word, which
# runs _retort as a TAB would.  Every match zsh adds (those that fit the
# word, as compadd filters them) goes to OUT, one a line, each LINE's
# block ended by "--".
zmodload zsh/zpty || exit 2
dir=$1 out=$2
shift 2
: >$out
zpty retort_tab zsh -f -i || exit 2
zpty -w retort_tab "PS1= RPS1=; fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -D"
# the widget: zsh's completion with compadd also copying the matches
# (compadd -O) to OUT, and a line "--" when it is done
zpty -w retort_tab "_tab() { compadd() { builtin compadd \"\$@\"; local -a m; builtin compadd -O m \"\$@\"; print -rl -- \$m >>${(q)out} }; _main_complete; unfunction compadd; print -- -- >>${(q)out} }"
zpty -w retort_tab "zle -C tab complete-word _tab; bindkey '^T' tab; print -- -- >>${(q)out}"

# wait_for N: until OUT has N lines "--"; what the shell writes on its
# terminal is read and dropped, or it would stop once the terminal's
# buffer is full
wait_for() {
	integer t
	local screen
	local -a marks
	for ((t = 0; t < 200; t++)); do
		while zpty -r -t retort_tab screen; do :; done
		marks=(${(M)${(f)"$(<$out)"}:#--})
		(( $#marks >= $1 )) && return 0
		sleep 0.05
	done
	print -u2 "zsh-tab: no answer to '$line'"
	zpty -d retort_tab
	exit 1
}

integer n=1
line='(set-up)'
wait_for 1
for line in "$@"; do
	# type the line and complete; once done, take the line back (^U)
	n+=1
	zpty -w -n retort_tab "$line"$'\x14'
	wait_for $n
	zpty -w -n retort_tab $'\x15'
done
zpty -d retort_tab
# the "--" of the set-up
print -rl -- "${(@)${(f)"$(<$out)"}[2,-1]}" >$out
