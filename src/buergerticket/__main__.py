from buergerticket.cli import main

raise SystemExit(main())
