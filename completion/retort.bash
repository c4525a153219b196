# retort.bash - bash completion for retort.
#
# Installed as share/bash-completion/completions/retort, where
# bash-completion loads it on the first TAB after `retort`; or source it.
# It needs bash 4 and nothing of bash-completion.
#
# Commands and options come from the functions below (a table: faster than
# asking `retort COMMAND --help` at every TAB); the test build/completion
# (scripts/check-completion.sh) fails when they and the help texts differ.
# Revision ids and branch labels come from `retort -q history -v` in the
# project of the current folder (or of -c FILE), which reads the revision
# files only, never the database.

# ---- the tables: completion/_retort.in gets them from here (the build
# writes them into zsh's _retort, `echo` made `print -r --`) ----
_retort_commands() {
	echo init revision merge upgrade downgrade current history graph heads branches show \
	     stamp verify check schema fleet lint test restore embed import edit \
	     ensure_version list_templates wait report
}

# the options of COMMAND, or the global ones (before the command) for ""
_retort_options() {
	case $1 in
	'')        echo -c --config -u --url -x -q --quiet -v --verbose -h --help --version --color ;;
	init)      echo -t --template ;;
	revision)  echo -m --message --autogenerate --offline --rename --head --splice --branch-label \
	                --depends-on --rev-id --version-path ;;
	merge)     echo -m --message --branch-label --rev-id ;;
	upgrade|downgrade)
	           echo --sql --resume --backup --no-backup ;;
	current|branches)
	           echo -v --verbose --format ;;
	heads)     echo -v --verbose --resolve-dependencies --format ;;
	ensure_version)
	           echo --sql ;;
	history)   echo -r --rev-range -v --verbose -i --indicate-current --format --graph ;;
	graph)     echo --format --no-db ;;
	show|verify|check)
	           echo --format ;;
	stamp)     echo --purge --sql --fix-checksums ;;
	schema)    echo --model --dialect --format ;;
	fleet)     echo -j --jobs --fail-fast --only --where --tenants --no-create --atomic --no-atomic --max-per-server --format -o --output ;;
	lint)      echo -d --dialect --format ;;
	test)      echo -d --dialect --format ;;
	restore)   echo --force ;;
	report)    echo -o --output ;;
	wait)      echo --timeout ;;
	embed)     echo -o --output --name ;;
	import)    echo -c --config -d --dialect --python --stamp --table ;;
	esac
}

# the options of COMMAND ("": global) that take a value
_retort_value_options() {
	case $1 in
	'')        echo -c --config -u --url -x ;;
	init)      echo -t --template ;;
	revision)  echo -m --message --rename --head --branch-label --depends-on --rev-id \
	                --version-path ;;
	merge)     echo -m --message --branch-label --rev-id ;;
	history)   echo -r --rev-range --format ;;
	graph)     echo --format ;;
	current|heads|branches|show|verify|check)
	           echo --format ;;
	schema)    echo --dialect --format ;;
	fleet)     echo -j --jobs --only --where --tenants --max-per-server --format -o --output ;;
	lint)      echo -d --dialect --format ;;
	test)      echo -d --dialect --format ;;
	embed)     echo -o --output --name ;;
	report)    echo -o --output ;;
	import)    echo -c --config -d --dialect --python --table ;;
	wait)      echo --timeout ;;
	esac
}
_retort_subcommands() {
	case $1 in
	fleet)  echo upgrade downgrade current check report ;;
	schema) echo dump ;;
	import) echo alembic ;;
	esac
}
# ---- end of the tables ----

# is WORD one of the words of LIST?
_retort_in() {
	case " $2 " in
	*" $1 "*) return 0 ;;
	esac
	return 1
}

# The revisions and branch labels of the project, LABEL@head and
# LABEL@base of each label, and head, heads, base, one a line.  $1..: the
# -c FILE to pass on, if any.  (awk, not a loop of read: a project of
# 10,000 revisions prints 120,000 lines.)
_retort_revisions() {
	echo head heads base
	command "${_retort_program:-retort}" "$@" -q history -v 2>/dev/null | awk '
		/^Rev: / { print $2 }
		/^Branch names: / {
			n = split(substr($0, 15), label, /, /)
			for (i = 1; i <= n; i++)
				print label[i] "\n" label[i] "@head\n" label[i] "@base"
		}'
}

_retort() {
	local IFS=$' \t\n' line words cur cmd='' sub='' npos=0 i w prev='' values config=()
	local candidates prefix _retort_program
	COMPREPLY=()
	# Split the line up to the cursor at white space ourselves: bash also
	# splits at ':', '=' and '@' (COMP_WORDBREAKS), which would cut ranges
	# (A:B) and --opt=VALUE in pieces.
	if [ -n "${COMP_LINE+set}" ]; then
		line=${COMP_LINE:0:${COMP_POINT:-${#COMP_LINE}}}
	else
		line="${COMP_WORDS[*]:0:COMP_CWORD+1}"
	fi
	read -r -a words <<<"$line"
	case $line in
	*[[:space:]]) words+=("") ;;
	esac
	cur=${words[${#words[@]}-1]}
	_retort_program=${words[0]}

	# the command (after the global options), its subcommand, how many
	# arguments came before the word being completed, and the option
	# whose value it is (prev)
	for ((i = 1; i < ${#words[@]} - 1; i++)); do
		w=${words[i]}
		case $w in
		--config=*) [ -z "$cmd" ] && config=(-c "${w#--config=}") ;;
		-*=*) ;;
		-[0-9]*) [ -n "$cmd" ] && npos=$((npos + 1)) ;;  # a target: downgrade -1
		-*)
			values=$(_retort_value_options "$cmd")
			if _retort_in "$w" "$values"; then
				if ((i + 1 == ${#words[@]} - 1)); then
					prev=$w
				elif [ -z "$cmd" ] && { [ "$w" = -c ] || [ "$w" = --config ]; }; then
					config=(-c "${words[i + 1]}")
				fi
				i=$((i + 1))
			fi
			;;
		*)
			if [ -z "$cmd" ]; then
				cmd=$w
			elif [ -z "$sub" ] && [ -n "$(_retort_subcommands "$cmd")" ]; then
				sub=$w
			else
				npos=$((npos + 1))
			fi
			;;
		esac
	done
	# --option=VALUE: complete the value (--color's is optional: not in
	# the table of options taking one)
	if [[ -z $prev && $cur == --colo*r=* ]]; then
		prev=--color
		cur=${cur#*=}
	elif [[ -z $prev && $cur == --*=* ]] &&
	   _retort_in "${cur%%=*}" "$(_retort_value_options "$cmd")"; then
		prev=${cur%%=*}
		cur=${cur#*=}
	fi
	# a leading ~/ of -c FILE, as the shell would have expanded it
	[ ${#config[@]} -eq 2 ] && config[1]=${config[1]/#\~\//$HOME/}

	if [ -n "$prev" ]; then
		case $cmd:$prev in
		revision:--version-path)
			compopt -o filenames 2>/dev/null || :
			candidates=$(compgen -d -- "$cur")
			;;
		report:-o|report:--output|fleet:-o|fleet:--output)
			compopt -o filenames 2>/dev/null
			candidates=$(compgen -f -- "$cur")
			;;
		:-c|:--config|fleet:--tenants)
			compopt -o filenames 2>/dev/null
			candidates=$(compgen -f -- "$cur")
			;;
		*:--color) candidates=$(compgen -W "auto always never" -- "$cur") ;;
		init:-t|init:--template) candidates=$(compgen -W "generic fleet" -- "$cur") ;;
		schema:--dialect|import:--dialect|test:-d|test:--dialect) candidates=$(compgen -W "sqlite postgresql" -- "$cur") ;;
		lint:-d|lint:--dialect) candidates=$(compgen -W "sqlite postgresql all" -- "$cur") ;;
		fleet:--format|current:--format|history:--format|heads:--format|branches:--format|\
		show:--format|check:--format|verify:--format|lint:--format|test:--format)
			candidates=$(compgen -W "text json" -- "$cur") ;;
		schema:--format) candidates=$(compgen -W "sql json mermaid dot" -- "$cur") ;;
		graph:--format) candidates=$(compgen -W "text dot mermaid" -- "$cur") ;;
		revision:--head|revision:--depends-on)
			candidates=$(_retort_complete_revision target "$cur" "" "${config[@]}")
			;;
		history:-r|history:--rev-range)
			candidates=$(_retort_complete_revision range "$cur" "" "${config[@]}")
			;;
		esac
	elif [[ $cur == -* && $cur != -[0-9]* ]]; then
		if [ -z "$cmd" ]; then
			candidates=$(compgen -W "$(_retort_options "")" -- "$cur")
		else
			candidates=$(compgen -W "$(_retort_options "$cmd") -h --help -q --quiet -v --verbose --color" \
					     -- "$cur" | awk '!seen[$0]++')
		fi
	elif [ -z "$cmd" ]; then
		candidates=$(compgen -W "$(_retort_commands)" -- "$cur")
	elif [ -n "$(_retort_subcommands "$cmd")" ] && [ -z "$sub" ]; then
		candidates=$(compgen -W "$(_retort_subcommands "$cmd")" -- "$cur")
	else
		case $cmd:$sub in
		upgrade:|fleet:upgrade)
			[ $npos -eq 0 ] && candidates=$(_retort_complete_revision target "$cur" +1 "${config[@]}")
			;;
		downgrade:|fleet:downgrade)
			[ $npos -eq 0 ] && candidates=$(_retort_complete_revision target "$cur" -1 "${config[@]}")
			;;
		stamp:|show:)
			[ $npos -eq 0 ] && candidates=$(_retort_complete_revision target "$cur" current "${config[@]}")
			;;
		edit:)
			[ $npos -eq 0 ] && candidates=$(_retort_complete_revision target "$cur" "" "${config[@]}")
			;;
		lint:)
			[ $npos -eq 0 ] && candidates=$(_retort_complete_revision range "$cur" "" "${config[@]}")
			;;
		merge:)
			candidates=$(_retort_complete_revision target "$cur" "" "${config[@]}")
			;;
		init:)
			[ $npos -eq 0 ] && { compopt -o filenames 2>/dev/null; candidates=$(compgen -d -- "$cur"); }
			;;
		restore:)
			[ $npos -eq 0 ] && { compopt -o filenames 2>/dev/null; candidates=$(compgen -f -- "$cur"); }
			;;
		import:)
			if [ $npos -eq 0 ]; then
				candidates=$(compgen -W "dbmate golang-migrate goose flyway diesel" -- "$cur")
			else
				compopt -o filenames 2>/dev/null
				candidates=$(compgen -d -- "$cur")
			fi
			;;
		esac
	fi

	# bash replaces only what follows the last ':', '=' or '@' of the
	# word: take that much off the front of each candidate
	prefix=$cur
	while [ -n "$prefix" ] && [[ ${COMP_WORDBREAKS:-:=@} != *"${prefix: -1}"* ]]; do
		prefix=${prefix%?}
	done
	[ -n "$candidates" ] || return 0
	while IFS= read -r w; do
		COMPREPLY+=("${w:${#prefix}}")
	done <<<"$candidates"
}

# The targets that start with $2, or for $1 = range the ranges (A:B, A:,
# current:, ...); $3: more words to offer (+1, current); $4..: the -c FILE
# to pass on.  LABEL@head and LABEL@base only once the word has an '@'.
_retort_complete_revision() {
	local mode=$1 cur=$2 more=$3 before=''
	shift 3
	if [ "$mode" = range ]; then
		more="$more current"
		if [[ $cur == *:* ]]; then
			before=${cur%:*}:
			cur=${cur##*:}
		fi
	fi
	compgen -P "$before" -W "$({ _retort_revisions "$@"; printf '%s\n' $more; } |
				   if [[ $cur == *@* ]]; then sort -u; else grep -v @ | sort -u; fi)" \
		-- "$cur"
}

complete -F _retort retort
