<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es_ES">
<context>
    <name>CallTriggerReach</name>
    <message>
        <source>The call trigger&apos;s host %1 was not found (DNS): check SUPABASE_URL.</source>
        <translation>No se encontró el host %1 del disparador de llamadas (DNS): revise SUPABASE_URL.</translation>
    </message>
    <message>
        <source>The call trigger&apos;s TLS certificate is not trusted on this machine (%1): install the CA certificates (Debian: ca-certificates) or look for a proxy that intercepts TLS.</source>
        <translation>El certificado TLS del disparador de llamadas no es de confianza en esta máquina (%1): instale los certificados de las CA (Debian: ca-certificates) o busque un proxy que intercepte TLS.</translation>
    </message>
    <message>
        <source>The call trigger at %1 did not answer within %2 ms: check SUPABASE_URL and this machine&apos;s way out (firewall, proxy).</source>
        <translation>El disparador de llamadas en %1 no respondió en %2 ms: revise SUPABASE_URL y la salida de esta máquina (cortafuegos, proxy).</translation>
    </message>
    <message>
        <source>Cannot reach the call trigger at %1: %2.</source>
        <translation>No se puede llegar al disparador de llamadas en %1: %2.</translation>
    </message>
</context>
<context>
    <name>CallingWindow</name>
    <message>
        <source>write calling hours like &quot;mon-fri 08:00-17:00&quot; or &quot;mon-fri 08:00-12:00,13:00-17:00; sat 09:00-12:00&quot;</source>
        <translation>escriba el horario de llamadas como «mon-fri 08:00-17:00» o «mon-fri 08:00-12:00,13:00-17:00; sat 09:00-12:00»</translation>
    </message>
    <message>
        <source>Bad day range %1: write a day (sat) or a range (mon-fri).</source>
        <translation>Rango de días incorrecto %1: escriba un día (sat) o un rango (mon-fri).</translation>
    </message>
    <message>
        <source>Unknown day %1: use mon, tue, wed, thu, fri, sat, sun or a range such as mon-fri.</source>
        <translation>Día desconocido %1: use mon, tue, wed, thu, fri, sat, sun o un rango como mon-fri.</translation>
    </message>
    <message>
        <source>Bad hours %1: write HH:MM-HH:MM, for example 08:00-17:00.</source>
        <translation>Horario incorrecto %1: escriba HH:MM-HH:MM, por ejemplo 08:00-17:00.</translation>
    </message>
    <message>
        <source>Bad time in %1: times are HH:MM from 00:00 to 23:59, and 24:00 as an end.</source>
        <translation>Hora incorrecta en %1: las horas son HH:MM de 00:00 a 23:59, y 24:00 como final.</translation>
    </message>
    <message>
        <source>Hours %1 end before they start: for hours past midnight write two rules, for example &quot;fri 22:00-24:00; sat 00:00-02:00&quot;.</source>
        <translation>El horario %1 termina antes de empezar: para horas después de medianoche escriba dos reglas, por ejemplo «fri 22:00-24:00; sat 00:00-02:00».</translation>
    </message>
    <message>
        <source>Calling hours are too long (%1 characters, at most %2): %3.</source>
        <translation>El horario de llamadas es demasiado largo (%1 caracteres, como máximo %2): %3.</translation>
    </message>
    <message>
        <source>Calling hours contain control characters: %1.</source>
        <translation>El horario de llamadas contiene caracteres de control: %1.</translation>
    </message>
    <message>
        <source>No calling hours given: %1.</source>
        <translation>No se indicó horario de llamadas: %1.</translation>
    </message>
    <message>
        <source>No hours for %1: write them after the days, for example &quot;%2 09:00-12:00&quot;.</source>
        <translation>No hay horario para %1: escríbalo después de los días, por ejemplo «%2 09:00-12:00».</translation>
    </message>
    <message>
        <source>Hours %1 without days: write the days first, for example &quot;mon-fri %2&quot;.</source>
        <translation>Horario %1 sin días: escriba primero los días, por ejemplo «mon-fri %2».</translation>
    </message>
    <message>
        <source>Unexpected %1 in calling hours: %2.</source>
        <translation>%1 inesperado en el horario de llamadas: %2.</translation>
    </message>
</context>
<context>
    <name>CheckCommand</name>
    <message>
        <source>ok</source>
        <translation>ok</translation>
    </message>
    <message>
        <source>note</source>
        <translation>nota</translation>
    </message>
    <message>
        <source>FAIL</source>
        <translation>FALLO</translation>
    </message>
    <message>
        <source>Not ready: fix the settings above.</source>
        <translation>No está listo: corrija la configuración de arriba.</translation>
    </message>
    <message>
        <source>A pass every %1 s, at most %2 calls a pass; calls per second for all schedulers together: %3 (0: no limit); calling hours %4.</source>
        <translation>Una pasada cada %1 s, como mucho %2 llamadas por pasada; llamadas por segundo entre todos los planificadores: %3 (0: sin límite); horario de llamadas %4.</translation>
    </message>
    <message>
        <source>Not ready: callops --no-gui would not place calls; fix what FAIL says above.</source>
        <translation>No está listo: callops --no-gui no realizaría llamadas; corrija lo que dice FALLO arriba.</translation>
    </message>
    <message>
        <source>Ready: callops --no-gui would place calls with these settings.</source>
        <translation>Listo: callops --no-gui realizaría llamadas con esta configuración.</translation>
    </message>
    <message>
        <source>Calls go to %1 with the key as %2 (this check calls nothing: the key is first tried by the first call).</source>
        <translation>Las llamadas van a %1 con la clave como %2 (esta comprobación no llama: la clave se prueba con la primera llamada).</translation>
    </message>
    <message>
        <source>The call trigger&apos;s host answers at %1 over TLS, with a certificate this machine trusts.</source>
        <translation>El host del disparador de llamadas responde en %1 por TLS, con un certificado en el que esta máquina confía.</translation>
    </message>
    <message>
        <source>The call trigger&apos;s host answers at %1.</source>
        <translation>El host del disparador de llamadas responde en %1.</translation>
    </message>
</context>
<context>
    <name>CommandLine</name>
    <message>
        <source>PostgreSQL URL or libpq keyword string (else DATABASE_URL).</source>
        <translation>URL de PostgreSQL o cadena de claves libpq (si no, DATABASE_URL).</translation>
    </message>
    <message>
        <source>Base URL of the call trigger (else SUPABASE_URL).</source>
        <translation>URL base del disparador de llamadas (si no, SUPABASE_URL).</translation>
    </message>
    <message>
        <source>Rows claimed per pass (default 50).</source>
        <translation>Filas reservadas por pasada (por defecto 50).</translation>
    </message>
    <message>
        <source>Seconds between passes when nothing wakes the scheduler (default 30).</source>
        <translation>Segundos entre pasadas cuando nada despierta al planificador (por defecto 30).</translation>
    </message>
    <message>
        <source>Calls started per second by all schedulers together; 0 = no limit (default 1).</source>
        <translation>Llamadas iniciadas por segundo entre todos los planificadores; 0 = sin límite (por defecto 1).</translation>
    </message>
    <message>
        <source>Seconds a call may stay classifying or calling before it is retried (default 600).</source>
        <translation>Segundos que una llamada puede seguir clasificando o llamando antes de reintentarse (por defecto 600).</translation>
    </message>
    <message>
        <source>Clinic calling hours, e.g. &quot;mon-fri 08:00-17:00&quot;.</source>
        <translation>Horario de llamadas de las clínicas, p. ej. «mon-fri 08:00-17:00».</translation>
    </message>
    <message>
        <source>Region for numbers without a country code (default US).</source>
        <translation>Región para números sin código de país (por defecto US).</translation>
    </message>
    <message>
        <source>Time zone assumed when a clinic&apos;s cannot be told (default America/New_York).</source>
        <translation>Zona horaria supuesta cuando no se puede determinar la de una clínica (por defecto America/New_York).</translation>
    </message>
    <message>
        <source>CallOps: the operations console and scheduler for automated clinic calls.</source>
        <translation>CallOps: la consola de operaciones y el planificador de llamadas automáticas a clínicas.</translation>
    </message>
    <message>
        <source>Run the scheduler headless until SIGTERM or SIGINT.</source>
        <translation>Ejecuta el planificador sin interfaz hasta SIGTERM o SIGINT.</translation>
    </message>
    <message>
        <source>With --no-gui: run one pass, print its JSON summary, exit.</source>
        <translation>Con --no-gui: ejecuta una pasada, imprime su resumen JSON y termina.</translation>
    </message>
    <message>
        <source>Apply the database migrations and exit.</source>
        <translation>Aplica las migraciones de la base de datos y termina.</translation>
    </message>
    <message>
        <source>Run the self-contained demo: private PostgreSQL, simulated telephony.</source>
        <translation>Ejecuta la demostración autónoma: PostgreSQL privado, telefonía simulada.</translation>
    </message>
    <message>
        <source>With --demo: throw away the demo database and start over.</source>
        <translation>Con --demo: descarta la base de datos de demostración y empieza de nuevo.</translation>
    </message>
    <message>
        <source>Write failed calls to FILE (.csv or .pdf) and exit.</source>
        <translation>Escribe las llamadas fallidas en FILE (.csv o .pdf) y termina.</translation>
    </message>
    <message>
        <source>With --export-failures: first day (YYYY-MM-DD).</source>
        <translation>Con --export-failures: primer día (AAAA-MM-DD).</translation>
    </message>
    <message>
        <source>With --export-failures: last day (YYYY-MM-DD).</source>
        <translation>Con --export-failures: último día (AAAA-MM-DD).</translation>
    </message>
    <message>
        <source>Settings file to use instead of the user&apos;s.</source>
        <translation>Archivo de configuración que se usa en lugar del del usuario.</translation>
    </message>
    <message>
        <source>Language of the console, the reports and the messages (en, es; else CALLOPS_LANG, else the system&apos;s). Log lines stay in English.</source>
        <translation>Idioma de la consola, los informes y los mensajes (en, es; si no, CALLOPS_LANG; si no, el del sistema). Las líneas del registro quedan en inglés.</translation>
    </message>
    <message>
        <source>--%1 expects a date as YYYY-MM-DD, not &quot;%2&quot;</source>
        <translation>--%1 espera una fecha AAAA-MM-DD, no «%2»</translation>
    </message>
    <message>
        <source>--export-failures expects a file ending in .csv or .pdf, not &quot;%1&quot;</source>
        <translation>--export-failures espera un archivo terminado en .csv o .pdf, no «%1»</translation>
    </message>
    <message>
        <source>Cannot write the report to &quot;%1&quot;: it is a folder</source>
        <translation>No se puede escribir el informe en «%1»: es una carpeta</translation>
    </message>
    <message>
        <source>Cannot write the report to &quot;%1&quot;: the file is read-only</source>
        <translation>No se puede escribir el informe en «%1»: el archivo es de solo lectura</translation>
    </message>
    <message>
        <source>Cannot write the report to &quot;%1&quot;: the folder does not exist</source>
        <translation>No se puede escribir el informe en «%1»: la carpeta no existe</translation>
    </message>
    <message>
        <source>Cannot write the report to &quot;%1&quot;: the folder is not writable</source>
        <translation>No se puede escribir el informe en «%1»: no se puede escribir en la carpeta</translation>
    </message>
    <message>
        <source>The settings file &quot;%1&quot; given to --config does not exist</source>
        <translation>El archivo de configuración «%1» indicado en --config no existe</translation>
    </message>
    <message>
        <source>&quot;%1&quot; given to --config is a folder, not a settings file</source>
        <translation>«%1» indicado en --config es una carpeta, no un archivo de configuración</translation>
    </message>
    <message>
        <source>Cannot read the settings file &quot;%1&quot; given to --config: check its permissions</source>
        <translation>No se puede leer el archivo de configuración «%1» indicado en --config: revise sus permisos</translation>
    </message>
    <message>
        <source>%1; see --help</source>
        <translation>%1; consulte --help</translation>
    </message>
    <message>
        <source>Unexpected argument &quot;%1&quot;; see --help</source>
        <translation>Argumento inesperado «%1»; consulte --help</translation>
    </message>
    <message>
        <source>--%1 and --%2 do not go together: choose one; see --help</source>
        <translation>--%1 y --%2 no van juntos: elija uno; consulte --help</translation>
    </message>
    <message>
        <source>--once does not go with --%1: it is for --no-gui alone</source>
        <translation>--once no se usa con --%1: es solo para --no-gui</translation>
    </message>
    <message>
        <source>--once only goes with --no-gui</source>
        <translation>--once solo se usa con --no-gui</translation>
    </message>
    <message>
        <source>--demo-reset only goes with --demo</source>
        <translation>--demo-reset solo se usa con --demo</translation>
    </message>
    <message>
        <source>--%1 only goes with --export-failures</source>
        <translation>--%1 solo se usa con --export-failures</translation>
    </message>
    <message>
        <source>--until must not be before --since</source>
        <translation>--until no puede ser anterior a --since</translation>
    </message>
    <message>
        <source>--%1 expects %2, not &quot;%3&quot;</source>
        <translation>--%1 espera %2, no «%3»</translation>
    </message>
    <message>
        <source>--%1 expects a number of 0 or more, not &quot;%2&quot;</source>
        <translation>--%1 espera un número mayor o igual que 0, no «%2»</translation>
    </message>
    <message>
        <source>Check what --no-gui would run with (settings, the call trigger&apos;s host, database login, grants, migrations, the guide&apos;s pg_cron job) without placing a call, and exit.</source>
        <translation>Comprobar con qué funcionaría --no-gui (configuración, el host del disparador de llamadas, inicio de sesión en la base de datos, permisos, migraciones, el trabajo pg_cron de la guía) sin realizar ninguna llamada, y salir.</translation>
    </message>
</context>
<context>
    <name>ConnectionSettings</name>
    <message>
        <source>No database given: pass --db URL, set DATABASE_URL, or configure one in the settings.</source>
        <translation>No se indicó base de datos: use --db URL, defina DATABASE_URL o configure una en los ajustes.</translation>
    </message>
    <message>
        <source>Unsupported database URL scheme in &quot;%1&quot;: use postgresql://user:password@host:port/database</source>
        <translation>Esquema de URL de base de datos no admitido en «%1»: use postgresql://usuario:contraseña@host:puerto/base</translation>
    </message>
    <message>
        <source>Not a database URL or libpq keyword string: expected postgresql://... or host=... dbname=...</source>
        <translation>No es una URL de base de datos ni una cadena de claves libpq: se esperaba postgresql://... o host=... dbname=...</translation>
    </message>
    <message>
        <source>Malformed database URL: port 0 is not a port</source>
        <translation>URL de base de datos mal formada: 0 no es un puerto</translation>
    </message>
    <message>
        <source>Malformed database URL: the path must be just the database name</source>
        <translation>URL de base de datos mal formada: la ruta debe ser solo el nombre de la base de datos</translation>
    </message>
    <message>
        <source>Malformed connection string: a word without a value (expected key=value; quote values that contain spaces)</source>
        <translation>Cadena de conexión mal formada: una palabra sin valor (se esperaba clave=valor; ponga entre comillas los valores con espacios)</translation>
    </message>
    <message>
        <source>Malformed connection string: &quot;%1&quot; has no value (expected key=value)</source>
        <translation>Cadena de conexión mal formada: «%1» no tiene valor (se esperaba clave=valor)</translation>
    </message>
    <message>
        <source>Malformed connection string: unterminated quote in the value of &quot;%1&quot;</source>
        <translation>Cadena de conexión mal formada: comilla sin cerrar en el valor de «%1»</translation>
    </message>
    <message>
        <source>Malformed connection settings: port &quot;%1&quot; is not a number from 1 to 65535</source>
        <translation>Configuración de conexión mal formada: el puerto «%1» no es un número de 1 a 65535</translation>
    </message>
    <message>
        <source>Unknown sslmode &quot;%1&quot;: use one of %2</source>
        <translation>sslmode desconocido «%1»: use uno de %2</translation>
    </message>
    <message>
        <source>Malformed connection settings: connect_timeout &quot;%1&quot; is not a number</source>
        <translation>Configuración de conexión mal formada: connect_timeout «%1» no es un número</translation>
    </message>
    <message>
        <source>Unknown connection setting (not a libpq keyword; check the spelling of the keywords)</source>
        <translation>Ajuste de conexión desconocido (no es una clave de libpq; revise cómo están escritas las claves)</translation>
    </message>
    <message>
        <source>Unknown connection setting &quot;%1&quot;</source>
        <translation>Ajuste de conexión desconocido «%1»</translation>
    </message>
    <message>
        <source>Unknown connection setting &quot;%1&quot; (did you mean %2?)</source>
        <translation>Ajuste de conexión desconocido «%1» (¿quiso decir %2?)</translation>
    </message>
    <message>
        <source>local socket</source>
        <translation>socket local</translation>
    </message>
    <message>
        <source> as %1</source>
        <translation> como %1</translation>
    </message>
    <message>
        <source>%1 is Supabase&apos;s transaction pooler, which drops LISTEN/NOTIFY and prepared statements: use the session pooler (port 5432) or the direct host.</source>
        <translation>%1 es el pooler de transacciones de Supabase, que no admite LISTEN/NOTIFY ni sentencias preparadas: use el pooler de sesión (puerto 5432) o el host directo.</translation>
    </message>
    <message>
        <source>Malformed database URL: expected postgresql://user:password@host:port/database[?sslmode=require], with special characters in the password percent-encoded (@ as %40, # as %23, / as %2F, : as %3A, space as %20)</source>
        <translation>URL de base de datos mal formada: se espera postgresql://usuario:contraseña@host:puerto/base[?sslmode=require], con los caracteres especiales de la contraseña codificados con % (@ como %40, # como %23, / como %2F, : como %3A, espacio como %20)</translation>
    </message>
</context>
<context>
    <name>ConsoleRepository</name>
    <message>
        <source>&quot;%1&quot; is not a call id.</source>
        <translation>«%1» no es un identificador de llamada.</translation>
    </message>
    <message>
        <source>The call %1 no longer exists.</source>
        <translation>La llamada %1 ya no existe.</translation>
    </message>
</context>
<context>
    <name>ConsoleWorker</name>
    <message>
        <source>Disconnected</source>
        <translation>Desconectado</translation>
    </message>
    <message>
        <source> (transaction pooler: no live updates, use port 5432)</source>
        <translation> (pooler de transacciones: sin actualizaciones en vivo, use el puerto 5432)</translation>
    </message>
    <message>
        <source> (live updates unavailable)</source>
        <translation> (sin actualizaciones en vivo)</translation>
    </message>
    <message>
        <source>Not connected to the database.</source>
        <translation>No hay conexión con la base de datos.</translation>
    </message>
    <message numerus="yes">
        <source>Wrote %n failed call(s) to %1.</source>
        <translation>
            <numerusform>Se escribió %n llamada fallida en %1.</numerusform>
            <numerusform>Se escribieron %n llamadas fallidas en %1.</numerusform>
        </translation>
    </message>
    <message>
        <source>An export is already running.</source>
        <translation>Ya hay una exportación en curso.</translation>
    </message>
    <message>
        <source> (migrated by a newer CallOps: update CallOps on this computer)</source>
        <translation> (migrada por un CallOps más reciente: actualice CallOps en este equipo)</translation>
    </message>
    <message>
        <source>%1 may not read %2: log in as a dispatcher (a role granted callops_dispatcher) or have SELECT on them granted.</source>
        <translation>%1 no puede leer %2: inicie sesión como operador (un rol con callops_dispatcher concedido) o pida que le concedan SELECT sobre ellas.</translation>
    </message>
    <message>
        <source> (read only: this role may not change calls)</source>
        <translation> (solo lectura: este rol no puede cambiar llamadas)</translation>
    </message>
</context>
<context>
    <name>CsvFailureReport</name>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>No se puede escribir %1: %2</translation>
    </message>
</context>
<context>
    <name>DatabaseConnection</name>
    <message>
        <source>The Qt PostgreSQL driver (QPSQL) is not installed: install the package libqt6sql6-psql.</source>
        <translation>El controlador PostgreSQL de Qt (QPSQL) no está instalado: instale el paquete libqt6sql6-psql.</translation>
    </message>
    <message>
        <source>Cannot connect to the database at %1: %2</source>
        <translation>No se puede conectar a la base de datos en %1: %2</translation>
    </message>
    <message>
        <source>no answer: the server closed the connection</source>
        <translation>sin respuesta: el servidor cerró la conexión</translation>
    </message>
</context>
<context>
    <name>DemoCommand</name>
    <message>
        <source>The demo could not start:
%1</source>
        <translation>La demostración no pudo iniciarse:
%1</translation>
    </message>
    <message>
        <source>Starting the CallOps demo…</source>
        <translation>Iniciando la demostración de CallOps…</translation>
    </message>
    <message>
        <source>CallOps demo</source>
        <translation>Demostración de CallOps</translation>
    </message>
    <message>
        <source>The demo runs its own database; start callops without --demo to connect to another.</source>
        <translation>La demostración usa su propia base de datos; inicie callops sin --demo para conectarse a otra.</translation>
    </message>
</context>
<context>
    <name>DemoRuntime</name>
    <message>
        <source>Applying the database migrations…</source>
        <translation>Aplicando las migraciones de la base de datos…</translation>
    </message>
    <message>
        <source>Adding the sample calls…</source>
        <translation>Añadiendo las llamadas de ejemplo…</translation>
    </message>
    <message>
        <source>Keeping the calls of the previous demo run (--demo-reset starts over).</source>
        <translation>Se conservan las llamadas de la demostración anterior (--demo-reset empieza de nuevo).</translation>
    </message>
    <message>
        <source>Added %1 sample calls.</source>
        <translation>Se añadieron %1 llamadas de ejemplo.</translation>
    </message>
    <message>
        <source>The demo database is not running.</source>
        <translation>La base de datos de demostración no está en marcha.</translation>
    </message>
    <message>
        <source>The telephony simulator did not start: %1</source>
        <translation>El simulador de telefonía no se inició: %1</translation>
    </message>
    <message numerus="yes">
        <source>Every call of the previous demo run is done: added %n new call(s) (--demo-reset starts over).</source>
        <translation>
            <numerusform>Todas las llamadas de la demostración anterior están terminadas: se ha añadido %n llamada nueva (--demo-reset empieza de nuevo).</numerusform>
            <numerusform>Todas las llamadas de la demostración anterior están terminadas: se han añadido %n llamadas nuevas (--demo-reset empieza de nuevo).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DemoSeeder</name>
    <message>
        <source>%1 (attempt %2 of %2)</source>
        <translation>%1 (intento %2 de %2)</translation>
    </message>
    <message>
        <source>Invalid phone number &quot;%1&quot;: not a number that can be dialled</source>
        <translation>Número de teléfono no válido «%1»: no es un número al que se pueda llamar</translation>
    </message>
    <message>
        <source>Seeding the demo database failed (%1): %2</source>
        <translation>Falló la carga de datos en la base de datos de demostración (%1): %2</translation>
    </message>
    <message>
        <source>Seeding the demo database failed: could not begin a transaction: %1</source>
        <translation>Falló la carga de datos en la base de datos de demostración: no se pudo iniciar una transacción: %1</translation>
    </message>
    <message>
        <source>Seeding the demo database failed (commit): %1</source>
        <translation>Falló la carga de datos en la base de datos de demostración (commit): %1</translation>
    </message>
</context>
<context>
    <name>EmbeddedPostgres</name>
    <message>
        <source>There is no &quot;postgres&quot; user on this machine: install the Debian package postgresql, which creates it.</source>
        <translation>No existe el usuario «postgres» en esta máquina: instale el paquete de Debian postgresql, que lo crea.</translation>
    </message>
    <message>
        <source>Could not give %1 to the postgres user: %2</source>
        <translation>No se pudo ceder %1 al usuario postgres: %2</translation>
    </message>
    <message>
        <source>CALLOPS_PG_BINDIR=%1 does not hold initdb, pg_ctl and postgres.</source>
        <translation>CALLOPS_PG_BINDIR=%1 no contiene initdb, pg_ctl y postgres.</translation>
    </message>
    <message>
        <source>PostgreSQL&apos;s server programs (initdb, pg_ctl, postgres) were not found under %1. The demo runs its own private database with them: install the Debian package &quot;postgresql&quot; (sudo apt-get install postgresql) and try again.</source>
        <translation>No se encontraron los programas del servidor PostgreSQL (initdb, pg_ctl, postgres) en %1. La demostración ejecuta con ellos su propia base de datos privada: instale el paquete de Debian «postgresql» (sudo apt-get install postgresql) y vuelva a intentarlo.</translation>
    </message>
    <message>
        <source>Running as root needs runuser (package util-linux) to start PostgreSQL as the postgres user.</source>
        <translation>Al ejecutarse como root se necesita runuser (paquete util-linux) para iniciar PostgreSQL como el usuario postgres.</translation>
    </message>
    <message>
        <source>Could not run %1: %2</source>
        <translation>No se pudo ejecutar %1: %2</translation>
    </message>
    <message>
        <source>%1 did not finish within %2 s</source>
        <translation>%1 no terminó en %2 s</translation>
    </message>
    <message>
        <source>The demo directory %1 must not contain quotes.</source>
        <translation>El directorio de la demostración %1 no debe contener comillas.</translation>
    </message>
    <message>
        <source>Could not create the demo directory %1.</source>
        <translation>No se pudo crear el directorio de la demostración %1.</translation>
    </message>
    <message>
        <source>Could not restrict %1 to its owner.</source>
        <translation>No se pudo restringir %1 a su propietario.</translation>
    </message>
    <message>
        <source>Running as root, the demo starts PostgreSQL as the &quot;postgres&quot; user, which does not exist: install the Debian package postgresql.</source>
        <translation>Al ejecutarse como root, la demostración inicia PostgreSQL como el usuario «postgres», que no existe: instale el paquete de Debian postgresql.</translation>
    </message>
    <message>
        <source>Running as root, the demo&apos;s PostgreSQL runs as the postgres user, which cannot enter %1 (needed for %2). Use a directory under /var/lib or /var/tmp.</source>
        <translation>Al ejecutarse como root, el PostgreSQL de la demostración se ejecuta como el usuario postgres, que no puede entrar en %1 (necesario para %2). Use un directorio bajo /var/lib o /var/tmp.</translation>
    </message>
    <message>
        <source>The demo cluster in %1 has lost its password file; start over with --demo-reset.</source>
        <translation>El clúster de demostración en %1 ha perdido su archivo de contraseña; empiece de nuevo con --demo-reset.</translation>
    </message>
    <message>
        <source>Creating the demo database cluster in %1…</source>
        <translation>Creando el clúster de base de datos de demostración en %1…</translation>
    </message>
    <message>
        <source>Could not write %1.</source>
        <translation>No se pudo escribir %1.</translation>
    </message>
    <message>
        <source>initdb failed for the demo cluster in %1: %2</source>
        <translation>initdb falló para el clúster de demostración en %1: %2</translation>
    </message>
    <message>
        <source>Stopping a demo PostgreSQL server left running by an earlier run (pid %1)…</source>
        <translation>Deteniendo un servidor PostgreSQL de demostración que quedó en marcha de una ejecución anterior (pid %1)…</translation>
    </message>
    <message>
        <source>A PostgreSQL server (pid %1) still runs on %2 and would not stop.</source>
        <translation>Un servidor PostgreSQL (pid %1) sigue en marcha en %2 y no se detuvo.</translation>
    </message>
    <message>
        <source>No free TCP port on 127.0.0.1 for the demo database.</source>
        <translation>No hay ningún puerto TCP libre en 127.0.0.1 para la base de datos de demostración.</translation>
    </message>
    <message>
        <source>Starting the demo PostgreSQL on 127.0.0.1:%1…</source>
        <translation>Iniciando el PostgreSQL de demostración en 127.0.0.1:%1…</translation>
    </message>
    <message>
        <source>The demo PostgreSQL did not start (log: %1): %2</source>
        <translation>El PostgreSQL de demostración no se inició (registro: %1): %2</translation>
    </message>
    <message>
        <source>Creating the database %1…</source>
        <translation>Creando la base de datos %1…</translation>
    </message>
    <message>
        <source>Throwing away the demo database in %1…</source>
        <translation>Descartando la base de datos de demostración en %1…</translation>
    </message>
    <message>
        <source>A PostgreSQL server (pid %1) still runs on %2; stop it first.</source>
        <translation>Un servidor PostgreSQL (pid %1) sigue en marcha en %2; deténgalo primero.</translation>
    </message>
    <message>
        <source>Could not delete %1.</source>
        <translation>No se pudo eliminar %1.</translation>
    </message>
    <message>
        <source>Another CallOps demo (process %1) is using %2; close it first.</source>
        <translation>Otra demostración de CallOps (proceso %1) está usando %2; ciérrela primero.</translation>
    </message>
    <message>
        <source>Reusing the demo database cluster in %1.</source>
        <translation>Se reutiliza el clúster de base de datos de demostración en %1.</translation>
    </message>
    <message>
        <source>The demo database is ready on 127.0.0.1:%1.</source>
        <translation>La base de datos de demostración está lista en 127.0.0.1:%1.</translation>
    </message>
    <message>
        <source>Stopping the demo PostgreSQL…</source>
        <translation>Deteniendo el PostgreSQL de demostración…</translation>
    </message>
    <message>
        <source>The demo PostgreSQL (pid %1) did not stop.</source>
        <translation>El PostgreSQL de demostración (pid %1) no se detuvo.</translation>
    </message>
</context>
<context>
    <name>ExportCommand</name>
    <message>
        <source>No database configured: set DATABASE_URL or pass --db.</source>
        <translation>No hay base de datos configurada: defina DATABASE_URL o use --db.</translation>
    </message>
    <message numerus="yes">
        <source>Wrote %n failed call(s) to %1.</source>
        <translation>
            <numerusform>Se escribió %n llamada fallida en %1.</numerusform>
            <numerusform>Se escribieron %n llamadas fallidas en %1.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>FailureReportOptions</name>
    <message>
        <source>the beginning</source>
        <translation>el principio</translation>
    </message>
    <message>
        <source>now</source>
        <translation>ahora</translation>
    </message>
    <message>
        <source>%1 to %2, whole days in %3</source>
        <translation>desde %1 hasta %2, días completos en %3</translation>
    </message>
</context>
<context>
    <name>KeychainStore</name>
    <message>
        <source>This build has no keychain support.</source>
        <translation>Esta compilación no admite llavero.</translation>
    </message>
</context>
<context>
    <name>ManualAction</name>
    <message>
        <source>Retry now</source>
        <translation>Reintentar ahora</translation>
    </message>
    <message>
        <source>Reset stuck</source>
        <translation>Restablecer atascada</translation>
    </message>
    <message>
        <source>Mark failed</source>
        <translation>Marcar como fallida</translation>
    </message>
    <message>
        <source>Re-classify</source>
        <translation>Reclasificar</translation>
    </message>
</context>
<context>
    <name>MigrateCommand</name>
    <message>
        <source>Database %1 is up to date.</source>
        <translation>La base de datos %1 está al día.</translation>
    </message>
    <message numerus="yes">
        <source>Applied %n migration(s) to %1: %2.</source>
        <translation>
            <numerusform>Se aplicó %n migración a %1: %2.</numerusform>
            <numerusform>Se aplicaron %n migraciones a %1: %2.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Migrator</name>
    <message>
        <source>Cannot create the schema_migrations table: %1</source>
        <translation>No se puede crear la tabla schema_migrations: %1</translation>
    </message>
    <message>
        <source>No migrations found: the binary was built without its SQL resources.</source>
        <translation>No se encontraron migraciones: el binario se compiló sin sus recursos SQL.</translation>
    </message>
    <message>
        <source>Cannot take the migration lock: %1</source>
        <translation>No se puede obtener el bloqueo de migración: %1</translation>
    </message>
    <message>
        <source>Migration %1 could not start a transaction: %2</source>
        <translation>La migración %1 no pudo iniciar una transacción: %2</translation>
    </message>
    <message>
        <source>Migration %1 failed at statement %2 and was rolled back: %3</source>
        <translation>La migración %1 falló en la sentencia %2 y se revirtió: %3</translation>
    </message>
    <message>
        <source>Migration %1 could not be recorded and was rolled back: %2</source>
        <translation>No se pudo registrar la migración %1 y se revirtió: %2</translation>
    </message>
    <message>
        <source>Migration %1 could not be committed: %2</source>
        <translation>No se pudo confirmar la migración %1: %2</translation>
    </message>
</context>
<context>
    <name>OutcomeRecorder</name>
    <message>
        <source>the outcome function returned nothing</source>
        <translation>la función de resultados no devolvió nada</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a pending call id (a UUID)</source>
        <translation>«%1» no es un identificador de llamada pendiente (un UUID)</translation>
    </message>
    <message>
        <source>the outcome function answered %1 of %2 outcomes</source>
        <translation>la función de resultados respondió %1 de %2 resultados</translation>
    </message>
</context>
<context>
    <name>PassPlanner</name>
    <message>
        <source>the phone number could not be read</source>
        <translation>no se pudo leer el número de teléfono</translation>
    </message>
    <message>
        <source>Invalid phone number: %1</source>
        <translation>Número de teléfono no válido: %1</translation>
    </message>
    <message>
        <source>Skipped: retry_count %1 / max_retries %2 are not valid; correct the row</source>
        <translation>Omitida: retry_count %1 / max_retries %2 no son válidos; corrija la fila</translation>
    </message>
    <message>
        <source>state &quot;%1&quot; is not one the scheduler acts on</source>
        <translation>el planificador no actúa sobre el estado «%1»</translation>
    </message>
    <message>
        <source>opens %1 (%2%3)</source>
        <translation>abre %1 (%2%3)</translation>
    </message>
    <message>
        <source>, zone assumed</source>
        <translation>, zona supuesta</translation>
    </message>
    <message>
        <source>time zone assumed: %1</source>
        <translation>zona horaria supuesta: %1</translation>
    </message>
    <message>
        <source>Classification attempts exhausted: the last classification call did not finish</source>
        <translation>Intentos de clasificación agotados: la última llamada de clasificación no terminó</translation>
    </message>
    <message>
        <source>%1; calling hours of %2 assumed</source>
        <translation>%1; se asume el horario de llamadas de %2</translation>
    </message>
</context>
<context>
    <name>PassResultText</name>
    <message>
        <source>Line already classified: ready for the task call</source>
        <translation>Línea ya clasificada: lista para la llamada de la tarea</translation>
    </message>
    <message>
        <source>Line not classified yet: a classification call is needed</source>
        <translation>Línea aún sin clasificar: hace falta una llamada de clasificación</translation>
    </message>
    <message>
        <source>IVR wait over: ready for the task call</source>
        <translation>Terminó la espera de IVR: lista para la llamada de la tarea</translation>
    </message>
    <message>
        <source>Still in the IVR wait</source>
        <translation>Todavía en la espera de IVR</translation>
    </message>
    <message>
        <source>Left alone</source>
        <translation>Sin cambios</translation>
    </message>
    <message>
        <source>Classification failed: no attempts left</source>
        <translation>Clasificación fallida: no quedan intentos</translation>
    </message>
    <message>
        <source>Classification to be tried again</source>
        <translation>La clasificación se volverá a intentar</translation>
    </message>
    <message>
        <source>Task call to be retried</source>
        <translation>La llamada de la tarea se reintentará</translation>
    </message>
    <message>
        <source>Failed: max retries exceeded</source>
        <translation>Fallida: se superó el máximo de reintentos</translation>
    </message>
    <message>
        <source>Waiting: another call to this line is classifying it</source>
        <translation>En espera: otra llamada a esta línea la está clasificando</translation>
    </message>
    <message>
        <source>Waiting: the number is being called already</source>
        <translation>En espera: ya se está llamando a ese número</translation>
    </message>
    <message>
        <source>Waiting for the clinic&apos;s calling hours</source>
        <translation>En espera del horario de llamadas de la clínica</translation>
    </message>
    <message>
        <source>Failed: the phone number cannot be dialled</source>
        <translation>Fallida: no se puede marcar el número de teléfono</translation>
    </message>
    <message>
        <source>Classification call waiting its turn</source>
        <translation>Llamada de clasificación esperando su turno</translation>
    </message>
    <message>
        <source>Task call waiting its turn</source>
        <translation>Llamada de la tarea esperando su turno</translation>
    </message>
    <message>
        <source>Classification call placed</source>
        <translation>Llamada de clasificación realizada</translation>
    </message>
    <message>
        <source>Task call placed</source>
        <translation>Llamada de la tarea realizada</translation>
    </message>
    <message>
        <source>The call request failed</source>
        <translation>Falló la solicitud de llamada</translation>
    </message>
    <message>
        <source>Not placed: given back for later (paused, stopped, or the call trigger refused)</source>
        <translation>No realizada: devuelta para más tarde (planificador en pausa o detenido, o rechazada por el disparador de llamadas)</translation>
    </message>
    <message>
        <source>retry %1</source>
        <translation>reintento %1</translation>
    </message>
    <message>
        <source>attempt %1</source>
        <translation>intento %1</translation>
    </message>
    <message>
        <source>a person answers</source>
        <translation>contesta una persona</translation>
    </message>
    <message>
        <source>an IVR menu only</source>
        <translation>solo un menú IVR</translation>
    </message>
    <message>
        <source>an IVR menu, then a person</source>
        <translation>un menú IVR y luego una persona</translation>
    </message>
</context>
<context>
    <name>PdfFailureReport</name>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>No se puede escribir %1: %2</translation>
    </message>
    <message>
        <source>CallOps failure report</source>
        <translation>Informe de fallos de CallOps</translation>
    </message>
    <message>
        <source>Cannot write %1: the PDF could not be started</source>
        <translation>No se puede escribir %1: no se pudo iniciar el PDF</translation>
    </message>
    <message>
        <source>Clinic: %1</source>
        <translation>Clínica: %1</translation>
    </message>
    <message>
        <source>Generated: %1</source>
        <translation>Generado: %1</translation>
    </message>
    <message>
        <source>Failed calls: %1</source>
        <translation>Llamadas fallidas: %1</translation>
    </message>
    <message>
        <source>(no reason recorded)</source>
        <translation>(sin motivo registrado)</translation>
    </message>
    <message>
        <source>Totals per failure reason</source>
        <translation>Totales por motivo de fallo</translation>
    </message>
    <message>
        <source>Failure reason</source>
        <translation>Motivo de fallo</translation>
    </message>
    <message>
        <source>Calls</source>
        <translation>Llamadas</translation>
    </message>
    <message>
        <source>Exam</source>
        <translation>Examen</translation>
    </message>
    <message>
        <source>Employee</source>
        <translation>Empleado</translation>
    </message>
    <message>
        <source>Clinic</source>
        <translation>Clínica</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Teléfono</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Failed at</source>
        <translation>Falló el</translation>
    </message>
    <message>
        <source>Cannot write %1: the PDF could not be finished</source>
        <translation>No se puede escribir %1: no se pudo terminar el PDF</translation>
    </message>
    <message>
        <source>Page %1 of %2</source>
        <translation>Página %1 de %2</translation>
    </message>
    <message>
        <source>Period: %1</source>
        <translation>Periodo: %1</translation>
    </message>
    <message>
        <source>No call failed in this period.</source>
        <translation>Ninguna llamada falló en este periodo.</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Último error</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Intentos</translation>
    </message>
    <message>
        <source>CallOps failure report, %1</source>
        <translation>Informe de fallos de CallOps, %1</translation>
    </message>
</context>
<context>
    <name>PhoneNumberNormalizer</name>
    <message>
        <source>no valid country code: write the number with + and its country code, or set a valid default region (now &quot;%1&quot;)</source>
        <translation>sin código de país válido: escriba el número con + y su código de país, o defina una región por defecto válida (ahora «%1»)</translation>
    </message>
    <message>
        <source>not a phone number</source>
        <translation>no es un número de teléfono</translation>
    </message>
    <message>
        <source>too short after the international prefix</source>
        <translation>demasiado corto después del prefijo internacional</translation>
    </message>
    <message>
        <source>too short to be a phone number</source>
        <translation>demasiado corto para ser un número de teléfono</translation>
    </message>
    <message>
        <source>too long to be a phone number</source>
        <translation>demasiado largo para ser un número de teléfono</translation>
    </message>
    <message>
        <source>too long to be a phone number (%1 characters, at most %2)</source>
        <translation>demasiado largo para ser un número de teléfono (%1 caracteres, como máximo %2)</translation>
    </message>
    <message>
        <source>contains control characters, not a phone number</source>
        <translation>contiene caracteres de control, no es un número de teléfono</translation>
    </message>
    <message>
        <source>no phone number given</source>
        <translation>no se indicó número de teléfono</translation>
    </message>
    <message>
        <source>not a valid number for region %1</source>
        <translation>no es un número válido para la región %1</translation>
    </message>
</context>
<context>
    <name>PhoneText</name>
    <message>
        <source>not a number CallOps can dial</source>
        <translation>no es un número que CallOps pueda marcar</translation>
    </message>
    <message>
        <source>stored as “%1”</source>
        <translation>guardado como «%1»</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
</context>
<context>
    <name>SchedulerConfig</name>
    <message>
        <source>Calls per second must be 0 (no limit) or more</source>
        <translation>Las llamadas por segundo deben ser 0 (sin límite) o más</translation>
    </message>
    <message>
        <source>Requests at a time must be from 1 to %1, not %2</source>
        <translation>Las solicitudes simultáneas deben estar entre 1 y %1, no %2</translation>
    </message>
    <message>
        <source>The IVR wait cannot be negative</source>
        <translation>La espera de IVR no puede ser negativa</translation>
    </message>
    <message>
        <source>Retry timings are not valid: base %1 s, cap %2 s, task retry delay %3 s</source>
        <translation>Los tiempos de reintento no son válidos: base %1 s, tope %2 s, espera de reintento de tarea %3 s</translation>
    </message>
    <message>
        <source>Calling hours &quot;%1&quot;: %2</source>
        <translation>Horario de llamadas «%1»: %2</translation>
    </message>
    <message>
        <source>Unknown default region &quot;%1&quot;: use a two-letter country code such as US</source>
        <translation>Región por defecto desconocida «%1»: use un código de país de dos letras como US</translation>
    </message>
    <message>
        <source>The in-flight timeout (%1 s) must be longer than the HTTP timeout (%2 s): raise CALLOPS_INFLIGHT_TIMEOUT or lower CALLOPS_HTTP_TIMEOUT.</source>
        <translation>El tiempo de espera de las llamadas en curso (%1 s) debe ser mayor que el tiempo de espera HTTP (%2 s): suba CALLOPS_INFLIGHT_TIMEOUT o baje CALLOPS_HTTP_TIMEOUT.</translation>
    </message>
    <message>
        <source>The batch size must be from %1 to %2, not %3</source>
        <translation>El tamaño de lote debe ser de %1 a %2, no %3</translation>
    </message>
    <message>
        <source>The interval must be from %1 to %2 seconds, not %3</source>
        <translation>El intervalo debe ser de %1 a %2 segundos, no %3</translation>
    </message>
    <message>
        <source>The HTTP timeout must be from 0.1 to %1 seconds</source>
        <translation>El tiempo de espera HTTP debe ser de 0,1 a %1 segundos</translation>
    </message>
    <message>
        <source>The in-flight timeout must be from %1 to %2 seconds, not %3</source>
        <translation>El tiempo de espera de las llamadas en curso debe ser de %1 a %2 segundos, no %3</translation>
    </message>
    <message>
        <source>Claims must last from %1 to %2 seconds, not %3</source>
        <translation>Las reservas deben durar de %1 a %2 segundos, no %3</translation>
    </message>
</context>
<context>
    <name>SchedulerGrants</name>
    <message>
        <source>The database role %1 may not do what the scheduler does on %2 (%3): log in as a role granted callops_scheduler (as the database&apos;s owner: GRANT callops_scheduler TO %1), or have these granted.</source>
        <translation>El rol de base de datos %1 no puede hacer lo que hace el planificador en %2 (%3): inicie sesión como un rol con callops_scheduler concedido (como propietario de la base de datos: GRANT callops_scheduler TO %1), o pida que se le concedan estos permisos.</translation>
    </message>
</context>
<context>
    <name>SchedulerPreflight</name>
    <message>
        <source>%1 (the server refused the login: retrying will not help; fix the database settings, then start again)</source>
        <translation>%1 (el servidor rechazó el inicio de sesión: reintentar no servirá de nada; corrija la configuración de la base de datos y vuelva a iniciar)</translation>
    </message>
    <message>
        <source>Connected to %1.</source>
        <translation>Conectado a %1.</translation>
    </message>
    <message>
        <source>The login may do what the scheduler does.</source>
        <translation>El inicio de sesión puede hacer lo que hace el planificador.</translation>
    </message>
    <message>
        <source>The database has every migration of this CallOps.</source>
        <translation>La base de datos tiene todas las migraciones de este CallOps.</translation>
    </message>
    <message>
        <source>The guide&apos;s scheduler is still active on this database (pg_cron job %1): CallOps places no calls while it is. Remove it as %2: %3</source>
        <translation>El planificador de la guía sigue activo en esta base de datos (trabajo de pg_cron %1): CallOps no realiza llamadas mientras lo esté. Elimínelo como %2: %3</translation>
    </message>
    <message>
        <source>Cannot tell whether the guide&apos;s scheduler (pg_cron job %1) is still active: %2. Make sure it is unscheduled.</source>
        <translation>No se puede saber si el planificador de la guía (trabajo de pg_cron %1) sigue activo: %2. Asegúrese de que no esté programado.</translation>
    </message>
    <message>
        <source>The guide&apos;s scheduler (pg_cron job %1) is not active here.</source>
        <translation>El planificador de la guía (trabajo de pg_cron %1) no está activo aquí.</translation>
    </message>
    <message>
        <source>%1 (process %2, since %3)</source>
        <translation>%1 (proceso %2, desde %3)</translation>
    </message>
    <message>
        <source>%1 (process %2, in the console of %3, since %4)</source>
        <translation>%1 (proceso %2, en la consola de %3, desde %4)</translation>
    </message>
    <message>
        <source>Schedulers already running on this database: %1. They go on as before; the due calls are shared with them, and no call is placed twice.</source>
        <translation>Planificadores ya en marcha en esta base de datos: %1. Siguen como antes; las llamadas pendientes se reparten con ellos, y ninguna llamada se hace dos veces.</translation>
    </message>
</context>
<context>
    <name>SchedulerStatusText</name>
    <message>
        <source>%1 (console of %2)</source>
        <translation>%1 (consola de %2)</translation>
    </message>
    <message>
        <source>%1, process %2, a service, running since %3</source>
        <translation>%1, proceso %2, un servicio, en marcha desde %3</translation>
    </message>
    <message>
        <source>%1, process %2, started in the console of %3 at %4</source>
        <translation>%1, proceso %2, iniciado en la consola de %3 a las %4</translation>
    </message>
    <message>
        <source>holding calls: %1</source>
        <translation>retiene las llamadas: %1</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>en pausa</translation>
    </message>
    <message>
        <source>no pass yet</source>
        <translation>aún ninguna pasada</translation>
    </message>
    <message numerus="yes">
        <source>last pass %n s ago</source>
        <translation>
            <numerusform>última pasada hace %n s</numerusform>
            <numerusform>última pasada hace %n s</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>reported %n s ago</source>
        <translation>
            <numerusform>último aviso hace %n s</numerusform>
            <numerusform>último aviso hace %n s</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 · %n more elsewhere</source>
        <translation>
            <numerusform>%1 · %n más en otro equipo</numerusform>
            <numerusform>%1 · %n más en otros equipos</numerusform>
        </translation>
    </message>
    <message>
        <source>Scheduler: none running on this database</source>
        <translation>Planificador: ninguno en marcha en esta base de datos</translation>
    </message>
    <message>
        <source>Scheduler: holding calls on %1</source>
        <translation>Planificador: retiene las llamadas en %1</translation>
    </message>
    <message>
        <source>Scheduler: paused on %1</source>
        <translation>Planificador: en pausa en %1</translation>
    </message>
    <message>
        <source>Scheduler: running on %1</source>
        <translation>Planificador: en marcha en %1</translation>
    </message>
    <message numerus="yes">
        <source>Schedulers: %n running elsewhere</source>
        <translation>
            <numerusform>Planificadores: %n en marcha en otro equipo</numerusform>
            <numerusform>Planificadores: %n en marcha en otros equipos</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>No CallOps scheduler has reported itself in the last %n s: no calls are placed until one runs (Scheduler ▸ Start here, or callops --no-gui on a server). Schedulers of a CallOps older than the database&apos;s migration 0028 run without reporting themselves.</source>
        <translation>
            <numerusform>Ningún planificador de CallOps ha dado señales en el último %n s: no se hace ninguna llamada hasta que uno esté en marcha (Planificador ▸ Iniciar aquí, o callops --no-gui en un servidor). Los planificadores de un CallOps anterior a la migración 0028 de la base de datos funcionan sin dar señales.</numerusform>
            <numerusform>Ningún planificador de CallOps ha dado señales en los últimos %n s: no se hace ninguna llamada hasta que uno esté en marcha (Planificador ▸ Iniciar aquí, o callops --no-gui en un servidor). Los planificadores de un CallOps anterior a la migración 0028 de la base de datos funcionan sin dar señales.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SchemaState</name>
    <message>
        <source>The database %1 has no CallOps tables yet: run callops --migrate against it (as the database&apos;s owner).</source>
        <translation>La base de datos %1 aún no tiene las tablas de CallOps: ejecute callops --migrate sobre ella (como propietario de la base de datos).</translation>
    </message>
    <message>
        <source>The database %1 lacks CallOps migrations %2 (it was migrated by an older CallOps): run callops --migrate against it (as the database&apos;s owner).</source>
        <translation>A la base de datos %1 le faltan las migraciones de CallOps %2 (la migró un CallOps anterior): ejecute callops --migrate sobre ella (como propietario de la base de datos).</translation>
    </message>
    <message>
        <source>The database %1 was migrated by a newer CallOps (migrations %2 are unknown to this one): update CallOps on this computer.</source>
        <translation>La base de datos %1 la migró un CallOps más reciente (este no conoce las migraciones %2): actualice CallOps en este equipo.</translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <source>The settings file %1 is malformed: fix or remove it.</source>
        <translation>El archivo de configuración %1 está mal formado: corríjalo o elimínelo.</translation>
    </message>
    <message>
        <source>Cannot read the settings file %1: check its permissions.</source>
        <translation>No se puede leer el archivo de configuración %1: revise sus permisos.</translation>
    </message>
    <message>
        <source>Setting %1 on the command line</source>
        <translation>El ajuste %1 en la línea de órdenes</translation>
    </message>
    <message>
        <source>The environment variable %1</source>
        <translation>La variable de entorno %1</translation>
    </message>
    <message>
        <source>Setting %1 in %2</source>
        <translation>El ajuste %1 en %2</translation>
    </message>
    <message>
        <source>The default of setting %1</source>
        <translation>El valor predeterminado del ajuste %1</translation>
    </message>
    <message>
        <source>%1 must be %2, not &quot;%3&quot;.</source>
        <translation>%1 debe ser %2, no «%3».</translation>
    </message>
    <message>
        <source>%1 must be a number of 0 or more, not &quot;%2&quot;.</source>
        <translation>%1 debe ser un número mayor o igual que 0, no «%2».</translation>
    </message>
    <message>
        <source>%1 contains a control character or broken Unicode.</source>
        <translation>%1 contiene un carácter de control o Unicode roto.</translation>
    </message>
    <message>
        <source>a whole number of seconds from %1 to %2</source>
        <translation>un número entero de segundos de %1 a %2</translation>
    </message>
    <message>
        <source>a whole number from %1 to %2</source>
        <translation>un número entero de %1 a %2</translation>
    </message>
    <message>
        <source>The environment variable %1 is no CallOps setting and is ignored.</source>
        <translation>La variable de entorno %1 no es un ajuste de CallOps y se ignora.</translation>
    </message>
    <message>
        <source>The environment variable %1 is no CallOps setting and is ignored; did you mean %2?</source>
        <translation>La variable de entorno %1 no es un ajuste de CallOps y se ignora; ¿quiso decir %2?</translation>
    </message>
</context>
<context>
    <name>TelephonySimulator</name>
    <message>
        <source>Simulator odds must be between 0 and 1.</source>
        <translation>Las probabilidades del simulador deben estar entre 0 y 1.</translation>
    </message>
    <message>
        <source>At least one classification outcome needs odds above 0.</source>
        <translation>Al menos un resultado de clasificación necesita una probabilidad mayor que 0.</translation>
    </message>
    <message>
        <source>The simulator&apos;s fault odds add up to more than 1.</source>
        <translation>Las probabilidades de fallo del simulador suman más de 1.</translation>
    </message>
    <message>
        <source>The simulator&apos;s outcome delays need 0 &lt;= minimum &lt;= maximum.</source>
        <translation>Los retrasos de resultado del simulador requieren 0 &lt;= mínimo &lt;= máximo.</translation>
    </message>
    <message>
        <source>Simulator delays cannot be negative.</source>
        <translation>Los retrasos del simulador no pueden ser negativos.</translation>
    </message>
    <message>
        <source>The simulator&apos;s client error status must be a 4xx other than 409.</source>
        <translation>El estado de error de cliente del simulador debe ser un 4xx distinto de 409.</translation>
    </message>
    <message>
        <source>Cannot open the record file %1: %2</source>
        <translation>No se puede abrir el archivo de registro %1: %2</translation>
    </message>
    <message>
        <source>The telephony simulator cannot listen on 127.0.0.1:%1 (is the port in use?).</source>
        <translation>El simulador de telefonía no puede escuchar en 127.0.0.1:%1 (¿el puerto está en uso?).</translation>
    </message>
</context>
<context>
    <name>TimeZoneResolver</name>
    <message>
        <source>No time zone given: use an IANA id such as America/New_York.</source>
        <translation>No se indicó zona horaria: use un identificador IANA como America/New_York.</translation>
    </message>
    <message>
        <source>Not a time zone id (%1 characters): use an IANA id such as America/New_York.</source>
        <translation>No es un identificador de zona horaria (%1 caracteres): use un identificador IANA como America/New_York.</translation>
    </message>
    <message>
        <source>Not a time zone id (unexpected characters): use an IANA id such as America/New_York.</source>
        <translation>No es un identificador de zona horaria (caracteres inesperados): use un identificador IANA como America/New_York.</translation>
    </message>
    <message>
        <source>Unknown time zone &quot;%1&quot;: use an IANA id such as America/New_York or Europe/London.</source>
        <translation>Zona horaria desconocida «%1»: use un identificador IANA como America/New_York o Europe/London.</translation>
    </message>
    <message>
        <source>unknown clinic_timezone &quot;%1&quot; ignored</source>
        <translation>clinic_timezone desconocida «%1» ignorada</translation>
    </message>
</context>
<context>
    <name>WorkflowState</name>
    <message>
        <source>New</source>
        <translation>Nueva</translation>
    </message>
    <message>
        <source>Checking classification</source>
        <translation>Comprobando clasificación</translation>
    </message>
    <message>
        <source>Needs classification</source>
        <translation>Necesita clasificación</translation>
    </message>
    <message>
        <source>Classifying</source>
        <translation>Clasificando</translation>
    </message>
    <message>
        <source>Classification pending (IVR wait)</source>
        <translation>Clasificación pendiente (espera de IVR)</translation>
    </message>
    <message>
        <source>Ready to call</source>
        <translation>Lista para llamar</translation>
    </message>
    <message>
        <source>Calling</source>
        <translation>Llamando</translation>
    </message>
    <message>
        <source>Retry pending</source>
        <translation>Reintento pendiente</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Completada</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fallida</translation>
    </message>
    <message>
        <source>Classification failed</source>
        <translation>Clasificación fallida</translation>
    </message>
    <message>
        <source>Unknown state</source>
        <translation>Estado desconocido</translation>
    </message>
    <message>
        <source>Needs action</source>
        <translation>Requieren acción</translation>
    </message>
    <message>
        <source>In flight</source>
        <translation>En curso</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Terminadas</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>Desconocido</translation>
    </message>
</context>
<context>
    <name>callops::ActionDialog</name>
    <message numerus="yes">
        <source>%1 for all %n call(s) matching the current filter?</source>
        <translation>
            <numerusform>¿%1 para %n llamada que coincide con el filtro actual?</numerusform>
            <numerusform>¿%1 para las %n llamadas que coinciden con el filtro actual?</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 for %n selected call(s)?</source>
        <translation>
            <numerusform>¿%1 para %n llamada seleccionada?</numerusform>
            <numerusform>¿%1 para %n llamadas seleccionadas?</numerusform>
        </translation>
    </message>
    <message>
        <source>Required: why these calls failed</source>
        <translation>Obligatorio: por qué fallaron estas llamadas</translation>
    </message>
    <message>
        <source>Optional, kept in the history</source>
        <translation>Opcional, se guarda en el historial</translation>
    </message>
    <message>
        <source>Waiting retries become due now; failed calls start over with a fresh retry budget.</source>
        <translation>Los reintentos en espera vencen ahora; las llamadas fallidas empiezan de nuevo con todos sus reintentos.</translation>
    </message>
    <message>
        <source>Calls in flight go back to Retry pending and are picked up again at once.</source>
        <translation>Las llamadas en curso vuelven a Reintento pendiente y se retoman de inmediato.</translation>
    </message>
    <message>
        <source>The calls are marked failed with your reason and are not called again.</source>
        <translation>Las llamadas se marcan como fallidas con su motivo y no se vuelven a hacer.</translation>
    </message>
    <message>
        <source>The classification is cleared and the calls start over from the look-up.</source>
        <translation>Se borra la clasificación y las llamadas empiezan de nuevo desde la consulta.</translation>
    </message>
    <message numerus="yes">
        <source>Only %n of them can take this action now; the others are left alone (another state, or a call in flight that is not stuck).</source>
        <translation>
            <numerusform>Solo %n de ellas admite esta acción ahora; las demás no se modifican (otro estado, o una llamada en curso que no está atascada).</numerusform>
            <numerusform>Solo %n de ellas admiten esta acción ahora; las demás no se modifican (otro estado, o una llamada en curso que no está atascada).</numerusform>
        </translation>
    </message>
    <message>
        <source>Calls in a state this action does not apply to, and calls in flight that are not stuck, are left alone.</source>
        <translation>Las llamadas en un estado al que no se aplica esta acción, y las llamadas en curso que no están atascadas, no se modifican.</translation>
    </message>
    <message>
        <source>&amp;Reason</source>
        <translation>&amp;Motivo</translation>
    </message>
</context>
<context>
    <name>callops::CallDetailPane</name>
    <message>
        <source>State</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Exam</source>
        <translation>Examen</translation>
    </message>
    <message>
        <source>Employee</source>
        <translation>Empleado</translation>
    </message>
    <message>
        <source>Reveal</source>
        <translation>Mostrar</translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation>Fecha de nacimiento</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Teléfono</translation>
    </message>
    <message>
        <source>Clinic</source>
        <translation>Clínica</translation>
    </message>
    <message>
        <source>Clinic time zone</source>
        <translation>Zona horaria de la clínica</translation>
    </message>
    <message>
        <source>Appointment</source>
        <translation>Cita</translation>
    </message>
    <message>
        <source>Retries</source>
        <translation>Reintentos</translation>
    </message>
    <message>
        <source>Attempt</source>
        <translation>Intento</translation>
    </message>
    <message>
        <source>Next action</source>
        <translation>Próxima acción</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Último error</translation>
    </message>
    <message>
        <source>Failure reason</source>
        <translation>Motivo de fallo</translation>
    </message>
    <message>
        <source>Failed at</source>
        <translation>Falló el</translation>
    </message>
    <message>
        <source>Classification</source>
        <translation>Clasificación</translation>
    </message>
    <message>
        <source>Last attempt</source>
        <translation>Último intento</translation>
    </message>
    <message>
        <source>In this state since</source>
        <translation>En este estado desde</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Creada</translation>
    </message>
    <message>
        <source>Updated</source>
        <translation>Actualizada</translation>
    </message>
    <message>
        <source>Claimed by</source>
        <translation>Reservada por</translation>
    </message>
    <message>
        <source>Call id</source>
        <translation>Id. de llamada</translation>
    </message>
    <message>
        <source>When</source>
        <translation>Cuándo</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Cambio</translation>
    </message>
    <message>
        <source>Actor</source>
        <translation>Autor</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <source>History</source>
        <translation>Historial</translation>
    </message>
    <message>
        <source>No call selected</source>
        <translation>Ninguna llamada seleccionada</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>Ocultar</translation>
    </message>
    <message>
        <source>not recorded</source>
        <translation>no registrada</translation>
    </message>
    <message>
        <source>Exam %1</source>
        <translation>Examen %1</translation>
    </message>
    <message>
        <source>from the number or the default</source>
        <translation>según el número o la predeterminada</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 de %2</translation>
    </message>
    <message>
        <source>created as %1</source>
        <translation>creada como %1</translation>
    </message>
    <message>
        <source>%1 → %2</source>
        <translation>%1 → %2</translation>
    </message>
    <message>
        <source>Call details</source>
        <translation>Detalles de la llamada</translation>
    </message>
    <message>
        <source>%1 at the clinic (%2 here)</source>
        <translation>%1 en la clínica (%2 aquí)</translation>
    </message>
</context>
<context>
    <name>callops::CallTableModel</name>
    <message>
        <source>Unknown (%1)</source>
        <translation>Desconocido (%1)</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 de %2</translation>
    </message>
    <message>
        <source>Exam</source>
        <translation>Examen</translation>
    </message>
    <message>
        <source>Employee</source>
        <translation>Empleado</translation>
    </message>
    <message>
        <source>Clinic</source>
        <translation>Clínica</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Teléfono</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Retries</source>
        <translation>Reintentos</translation>
    </message>
    <message>
        <source>Next action</source>
        <translation>Próxima acción</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Último error</translation>
    </message>
    <message>
        <source>Updated</source>
        <translation>Actualizada</translation>
    </message>
    <message>
        <source>In this computer&apos;s time zone (%1)</source>
        <translation>En la zona horaria de este equipo (%1)</translation>
    </message>
</context>
<context>
    <name>callops::CallTrigger</name>
    <message>
        <source>The call trigger URL is not set: set SUPABASE_URL (or --supabase-url) to the project URL, e.g. https://&lt;ref&gt;.supabase.co.</source>
        <translation>La URL del disparador de llamadas no está definida: asigne a SUPABASE_URL (o --supabase-url) la URL del proyecto, p. ej. https://&lt;ref&gt;.supabase.co.</translation>
    </message>
    <message>
        <source>The call trigger URL &quot;%1&quot; is not a valid URL: set SUPABASE_URL to the project URL, e.g. https://&lt;ref&gt;.supabase.co.</source>
        <translation>La URL del disparador de llamadas «%1» no es válida: asigne a SUPABASE_URL la URL del proyecto, p. ej. https://&lt;ref&gt;.supabase.co.</translation>
    </message>
    <message>
        <source>The call trigger URL must start with https:// (or http:// for a local server), not %1://.</source>
        <translation>La URL del disparador de llamadas debe empezar por https:// (o http:// para un servidor local), no %1://.</translation>
    </message>
    <message>
        <source>The service key is not set: set SUPABASE_SERVICE_ROLE_KEY to the project&apos;s service_role (or sb_secret_...) key.</source>
        <translation>La clave de servicio no está definida: asigne a SUPABASE_SERVICE_ROLE_KEY la clave service_role (o sb_secret_...) del proyecto.</translation>
    </message>
    <message>
        <source>The service key in SUPABASE_SERVICE_ROLE_KEY contains spaces, line breaks or non-ASCII characters: copy the key again without them.</source>
        <translation>La clave de servicio de SUPABASE_SERVICE_ROLE_KEY contiene espacios, saltos de línea o caracteres no ASCII: copie de nuevo la clave sin ellos.</translation>
    </message>
    <message>
        <source>request aborted at shutdown</source>
        <translation>solicitud cancelada al apagar</translation>
    </message>
    <message>
        <source>no answer within %1 ms</source>
        <translation>sin respuesta en %1 ms</translation>
    </message>
    <message>
        <source>request aborted at shutdown before it was sent</source>
        <translation>solicitud cancelada al apagar antes de enviarse</translation>
    </message>
    <message>
        <source>SUPABASE_URL is a function&apos;s URL: set it to the project URL, https://&lt;ref&gt;.supabase.co, without /functions/...</source>
        <translation>SUPABASE_URL es la URL de una función: use la URL del proyecto, https://&lt;ref&gt;.supabase.co, sin /functions/...</translation>
    </message>
    <message>
        <source>The call trigger timeout must be more than 0 seconds.</source>
        <translation>El tiempo de espera del disparador de llamadas debe ser mayor que 0 segundos.</translation>
    </message>
    <message>
        <source>SUPABASE_URL contains a user name or password: remove it; the key goes in SUPABASE_SERVICE_ROLE_KEY.</source>
        <translation>SUPABASE_URL contiene un usuario o una contraseña: quítelos; la clave va en SUPABASE_SERVICE_ROLE_KEY.</translation>
    </message>
</context>
<context>
    <name>callops::ConnectionDialog</name>
    <message>
        <source>Connect to a database</source>
        <translation>Conectar a una base de datos</translation>
    </message>
    <message>
        <source>Kept in the system keychain</source>
        <translation>Se guarda en el llavero del sistema</translation>
    </message>
    <message>
        <source>No keychain: set SUPABASE_SERVICE_ROLE_KEY instead</source>
        <translation>Sin llavero: defina SUPABASE_SERVICE_ROLE_KEY en su lugar</translation>
    </message>
    <message>
        <source>The console reads and changes pending calls in this PostgreSQL database. Use Supabase&apos;s direct host or its session pooler (port 5432); the transaction pooler (6543) cannot deliver live updates.</source>
        <translation>La consola lee y modifica las llamadas pendientes en esta base de datos PostgreSQL. Use el host directo de Supabase o su pooler de sesión (puerto 5432); el pooler de transacciones (6543) no puede entregar actualizaciones en vivo.</translation>
    </message>
    <message>
        <source>Runs CallOps with its own private database and simulated calls.</source>
        <translation>Ejecuta CallOps con su propia base de datos privada y llamadas simuladas.</translation>
    </message>
    <message>
        <source>The key could not be stored in the keychain: %1</source>
        <translation>No se pudo guardar la clave en el llavero: %1</translation>
    </message>
    <message>
        <source>This is Supabase&apos;s transaction pooler (port 6543): live updates and prepared statements do not work through it. Use the session pooler on port 5432.</source>
        <translation>Este es el pooler de transacciones de Supabase (puerto 6543): las actualizaciones en vivo y las sentencias preparadas no funcionan a través de él. Use el pooler de sesión en el puerto 5432.</translation>
    </message>
    <message>
        <source>Storing the key in the keychain…</source>
        <translation>Guardando la clave en el llavero…</translation>
    </message>
    <message>
        <source>&amp;Database URL</source>
        <translation>URL de la base de &amp;datos</translation>
    </message>
    <message>
        <source>Supabase &amp;URL</source>
        <translation>&amp;URL de Supabase</translation>
    </message>
    <message>
        <source>Service role &amp;key</source>
        <translation>Cla&amp;ve service role</translation>
    </message>
    <message>
        <source>&amp;Try the demo</source>
        <translation>&amp;Probar la demostración</translation>
    </message>
</context>
<context>
    <name>callops::ExportDialog</name>
    <message>
        <source>From</source>
        <translation>Desde</translation>
    </message>
    <message>
        <source>Export failures</source>
        <translation>Exportar fallos</translation>
    </message>
    <message>
        <source>All clinics</source>
        <translation>Todas las clínicas</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <source>CSV (*.csv);;PDF report (*.pdf)</source>
        <translation>CSV (*.csv);;Informe PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>Exportando…</translation>
    </message>
    <message>
        <source>&amp;To</source>
        <translation>&amp;Hasta</translation>
    </message>
    <message>
        <source>Include &amp;dates of birth (CSV only)</source>
        <translation>Incluir &amp;fechas de nacimiento (solo CSV)</translation>
    </message>
    <message>
        <source>B&amp;rowse…</source>
        <translation>E&amp;xaminar…</translation>
    </message>
    <message>
        <source>&amp;File (.csv or .pdf)</source>
        <translation>&amp;Archivo (.csv o .pdf)</translation>
    </message>
    <message>
        <source>Failed &amp;between</source>
        <translation>Fallidas e&amp;ntre</translation>
    </message>
    <message>
        <source>Cl&amp;inic</source>
        <translation>C&amp;línica</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>&amp;Exportar</translation>
    </message>
    <message>
        <source>Exporting… %1 of %2 calls</source>
        <translation>Exportando… %1 de %2 llamadas</translation>
    </message>
    <message>
        <source>The file name must end in .csv (a spreadsheet) or .pdf (a printable report).</source>
        <translation>El nombre del archivo debe terminar en .csv (una hoja de cálculo) o .pdf (un informe para imprimir).</translation>
    </message>
    <message>
        <source>%1 already exists. Replace it?</source>
        <translation>%1 ya existe. ¿Reemplazarlo?</translation>
    </message>
</context>
<context>
    <name>callops::HistorySearchDialog</name>
    <message>
        <source>Search history by reason</source>
        <translation>Buscar en el historial por motivo</translation>
    </message>
    <message>
        <source>Words of the reason, e.g. clinic closed</source>
        <translation>Palabras del motivo, p. ej. clínica cerrada</translation>
    </message>
    <message>
        <source>When</source>
        <translation>Cuándo</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Cambio</translation>
    </message>
    <message>
        <source>Actor</source>
        <translation>Autor</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <source>Call id</source>
        <translation>Id. de llamada</translation>
    </message>
    <message>
        <source>%1 → %2</source>
        <translation>%1 → %2</translation>
    </message>
    <message>
        <source>Changes found</source>
        <translation>Cambios encontrados</translation>
    </message>
    <message>
        <source>&amp;Reason contains</source>
        <translation>&amp;Motivo contiene</translation>
    </message>
</context>
<context>
    <name>callops::MainWindow</name>
    <message>
        <source>Connected: %1</source>
        <translation>Conectado: %1</translation>
    </message>
    <message>
        <source>Not connected: %1</source>
        <translation>Sin conexión: %1</translation>
    </message>
    <message>
        <source>CallOps</source>
        <translation>CallOps</translation>
    </message>
    <message>
        <source>%1 (%2): %3</source>
        <translation>%1 (%2): %3</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Archivo</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Salir</translation>
    </message>
    <message>
        <source>&amp;Calls</source>
        <translation>&amp;Llamadas</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ver</translation>
    </message>
    <message>
        <source>Scheduler</source>
        <translation>Planificador</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>A&amp;yuda</translation>
    </message>
    <message>
        <source>About CallOps</source>
        <translation>Acerca de CallOps</translation>
    </message>
    <message>
        <source>&lt;b&gt;CallOps %1&lt;/b&gt;&lt;p&gt;Operations console and scheduler for automated clinic calls.&lt;/p&gt;</source>
        <translation>&lt;b&gt;CallOps %1&lt;/b&gt;&lt;p&gt;Consola de operaciones y planificador de llamadas automáticas a clínicas.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Actions</source>
        <translation>Acciones</translation>
    </message>
    <message>
        <source>Search exam, employee, clinic or phone (Ctrl+F)</source>
        <translation>Buscar examen, empleado, clínica o teléfono (Ctrl+F)</translation>
    </message>
    <message>
        <source>All clinics</source>
        <translation>Todas las clínicas</translation>
    </message>
    <message>
        <source>Any failure reason</source>
        <translation>Cualquier motivo de fallo</translation>
    </message>
    <message>
        <source>Any time</source>
        <translation>Cualquier momento</translation>
    </message>
    <message>
        <source>In state for up to 1 hour</source>
        <translation>En el estado hasta 1 hora</translation>
    </message>
    <message>
        <source>In state for up to 24 hours</source>
        <translation>En el estado hasta 24 horas</translation>
    </message>
    <message>
        <source>In state for up to 7 days</source>
        <translation>En el estado hasta 7 días</translation>
    </message>
    <message>
        <source>In state for up to 30 days</source>
        <translation>En el estado hasta 30 días</translation>
    </message>
    <message>
        <source>Counting…</source>
        <translation>Contando…</translation>
    </message>
    <message numerus="yes">
        <source>%n call(s)</source>
        <translation>
            <numerusform>%n llamada</numerusform>
            <numerusform>%n llamadas</numerusform>
        </translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>Sin conexión</translation>
    </message>
    <message>
        <source>Scheduler: not running in this console</source>
        <translation>Planificador: no se ejecuta en esta consola</translation>
    </message>
    <message>
        <source>Last refresh %1</source>
        <translation>Última actualización %1</translation>
    </message>
    <message>
        <source>Stuck calls</source>
        <translation>Llamadas atascadas</translation>
    </message>
    <message numerus="yes">
        <source>%n call(s) stuck: in their state longer than its threshold.</source>
        <translation>
            <numerusform>%n llamada atascada: lleva en su estado más tiempo que su umbral.</numerusform>
            <numerusform>%n llamadas atascadas: llevan en su estado más tiempo que su umbral.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>CallOps — %n stuck</source>
        <translation>
            <numerusform>CallOps — %n atascada</numerusform>
            <numerusform>CallOps — %n atascadas</numerusform>
        </translation>
    </message>
    <message>
        <source>Counting the calls that match the filter…</source>
        <translation>Contando las llamadas que coinciden con el filtro…</translation>
    </message>
    <message>
        <source>No calls match the filter.</source>
        <translation>Ninguna llamada coincide con el filtro.</translation>
    </message>
    <message>
        <source>%1…</source>
        <translation>%1…</translation>
    </message>
    <message>
        <source>%1 failed: %2</source>
        <translation>%1 falló: %2</translation>
    </message>
    <message numerus="yes">
        <source>%1: %n call(s) changed</source>
        <translation>
            <numerusform>%1: %n llamada modificada</numerusform>
            <numerusform>%1: %n llamadas modificadas</numerusform>
        </translation>
    </message>
    <message>
        <source>Stuck thresholds</source>
        <translation>Umbrales de atasco</translation>
    </message>
    <message>
        <source>The new thresholds apply now, but they could not be saved to %1: the console will start with the old ones next time.</source>
        <translation>Los nuevos umbrales ya se aplican, pero no se pudieron guardar en %1: la consola empezará con los anteriores la próxima vez.</translation>
    </message>
    <message>
        <source>Search… (Ctrl+F)</source>
        <translation>Buscar… (Ctrl+F)</translation>
    </message>
    <message>
        <source>• %1 — %2</source>
        <comment>exam id — employee</comment>
        <translation>• %1 — %2</translation>
    </message>
    <message>
        <source>• Stuck calls only</source>
        <translation>• Solo llamadas atascadas</translation>
    </message>
    <message>
        <source>• State: %1</source>
        <translation>• Estado: %1</translation>
    </message>
    <message>
        <source>• Clinic: %1</source>
        <translation>• Clínica: %1</translation>
    </message>
    <message>
        <source>• Failure reason: %1</source>
        <translation>• Motivo de fallo: %1</translation>
    </message>
    <message>
        <source>• Search: &quot;%1&quot;</source>
        <translation>• Búsqueda: «%1»</translation>
    </message>
    <message>
        <source>• Every call, in every state (no filter)</source>
        <translation>• Todas las llamadas, en todos los estados (sin filtro)</translation>
    </message>
    <message numerus="yes">
        <source>%1 (%Ln)</source>
        <comment>failure reason (number of calls)</comment>
        <translation>
            <numerusform>%1 (%Ln)</numerusform>
            <numerusform>%1 (%Ln)</numerusform>
        </translation>
    </message>
    <message>
        <source>Not connected to the database: nothing was changed. Try again once the console is connected.</source>
        <translation>No hay conexión con la base de datos: no se ha cambiado nada. Vuelva a intentarlo cuando la consola esté conectada.</translation>
    </message>
    <message>
        <source>The reason you gave is kept: it is filled in again when you try once more.</source>
        <translation>El motivo que indicó se conserva: se volverá a rellenar cuando lo intente de nuevo.</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <comment>exam id — employee</comment>
        <translation>%1 — %2</translation>
    </message>
    <message numerus="yes">
        <source>(%n left alone: not in a state the action applies to, in flight and not stuck, or moved on since)</source>
        <translation>
            <numerusform>(%n sin cambios: en un estado al que no se aplica la acción, en curso y no atascada, o cambió desde entonces)</numerusform>
            <numerusform>(%n sin cambios: en un estado al que no se aplica la acción, en curso y no atascadas, o cambiaron desde entonces)</numerusform>
        </translation>
    </message>
    <message>
        <source>Call states</source>
        <translation>Estados de las llamadas</translation>
    </message>
    <message>
        <source>Search calls</source>
        <translation>Buscar llamadas</translation>
    </message>
    <message>
        <source>Clinic filter</source>
        <translation>Filtro de clínica</translation>
    </message>
    <message>
        <source>Failure reason filter</source>
        <translation>Filtro de motivo de fallo</translation>
    </message>
    <message>
        <source>Time in state filter</source>
        <translation>Filtro de tiempo en el estado</translation>
    </message>
    <message>
        <source>Calls</source>
        <translation>Llamadas</translation>
    </message>
    <message>
        <source>Retry &amp;now…</source>
        <translation>&amp;Reintentar ahora…</translation>
    </message>
    <message>
        <source>&amp;Reset stuck…</source>
        <translation>Re&amp;stablecer atascada…</translation>
    </message>
    <message>
        <source>&amp;Mark failed…</source>
        <translation>&amp;Marcar como fallida…</translation>
    </message>
    <message>
        <source>Re-&amp;classify…</source>
        <translation>Re&amp;clasificar…</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>&amp;Actualizar</translation>
    </message>
    <message>
        <source>&amp;Search</source>
        <translation>&amp;Buscar</translation>
    </message>
    <message>
        <source>&amp;Connection…</source>
        <translation>&amp;Conexión…</translation>
    </message>
    <message>
        <source>Search &amp;history by reason…</source>
        <translation>Buscar en el &amp;historial por motivo…</translation>
    </message>
    <message>
        <source>&amp;Export failures…</source>
        <translation>&amp;Exportar fallos…</translation>
    </message>
    <message>
        <source>&amp;All matching the filter</source>
        <translation>&amp;Todas las que coinciden con el filtro</translation>
    </message>
    <message>
        <source>&amp;Scheduler</source>
        <translation>&amp;Planificador</translation>
    </message>
    <message>
        <source>S&amp;tuck thresholds…</source>
        <translation>&amp;Umbrales de atasco…</translation>
    </message>
    <message>
        <source>&amp;About CallOps</source>
        <translation>&amp;Acerca de CallOps</translation>
    </message>
    <message>
        <source>CallOps demo</source>
        <translation>Demostración de CallOps</translation>
    </message>
    <message numerus="yes">
        <source>CallOps demo — %n stuck</source>
        <translation>
            <numerusform>Demostración de CallOps — %n atascada</numerusform>
            <numerusform>Demostración de CallOps — %n atascadas</numerusform>
        </translation>
    </message>
    <message>
        <source>Demo: the scheduler runs here from the start and its calls go to a telephony simulator on this computer; no one is called.</source>
        <translation>Demostración: el planificador funciona aquí desde el inicio y sus llamadas van a un simulador de telefonía en este equipo; no se llama a nadie.</translation>
    </message>
    <message>
        <source>Waiting for the database…</source>
        <translation>Esperando a la base de datos…</translation>
    </message>
    <message>
        <source>Waiting for the database</source>
        <translation>Esperando a la base de datos</translation>
    </message>
    <message>
        <source>Quit CallOps</source>
        <translation>Salir de CallOps</translation>
    </message>
    <message>
        <source>A change to calls is still being written to the database.</source>
        <translation>Todavía se está escribiendo en la base de datos un cambio en las llamadas.</translation>
    </message>
    <message>
        <source>Quit when it is done, or quit now: the database then undoes the change if it has not finished it.</source>
        <translation>Salir cuando termine, o salir ahora: la base de datos deshace entonces el cambio si no lo ha terminado.</translation>
    </message>
    <message>
        <source>Quit When &amp;Done</source>
        <translation>Salir al &amp;terminar</translation>
    </message>
    <message>
        <source>Quit &amp;Now</source>
        <translation>Salir &amp;ahora</translation>
    </message>
    <message>
        <source>Quitting once the change is written…</source>
        <translation>Se saldrá en cuanto se escriba el cambio…</translation>
    </message>
    <message>
        <source>This database role may only read: nothing was changed. Log in as a dispatcher (a role granted callops_dispatcher) to change calls.</source>
        <translation>Este rol de la base de datos solo puede leer: no se cambió nada. Inicie sesión como operador (un rol con callops_dispatcher concedido) para cambiar llamadas.</translation>
    </message>
</context>
<context>
    <name>callops::OfflineBanner</name>
    <message>
        <source>Reconnect now</source>
        <translation>Reconectar ahora</translation>
    </message>
    <message>
        <source>Not live since %1: the database cannot be reached. Counts and calls are as of %2; the console reconnects by itself.</source>
        <translation>Sin datos en vivo desde las %1: no se puede acceder a la base de datos. Los recuentos y las llamadas son de las %2; la consola se reconecta sola.</translation>
    </message>
    <message>
        <source>Not live since %1: the database cannot be reached; the console reconnects by itself.</source>
        <translation>Sin datos en vivo desde las %1: no se puede acceder a la base de datos; la consola se reconecta sola.</translation>
    </message>
    <message>
        <source>Not live since %1: the database refused the login. Correct it under File → Connection…, or press Reconnect now once it is put right elsewhere; a refused login is not tried again by itself.</source>
        <translation>Sin datos en vivo desde las %1: la base de datos rechazó el inicio de sesión. Corríjalo en Archivo → Conexión…, o pulse Reconectar ahora cuando se haya corregido en otro lugar; un inicio de sesión rechazado no se vuelve a intentar por sí solo.</translation>
    </message>
    <message>
        <source>Database connection lost</source>
        <translation>Conexión con la base de datos perdida</translation>
    </message>
    <message>
        <source>Not live since %1: %2 The console looks again by itself.</source>
        <translation>Sin datos en vivo desde las %1: %2 La consola vuelve a comprobarlo por sí sola.</translation>
    </message>
</context>
<context>
    <name>callops::SchedulerEngine</name>
    <message>
        <source>%1 looks like Supabase&apos;s transaction pooler (port 6543): LISTEN/NOTIFY and prepared statements do not work through it; use the session pooler (port 5432) or the direct host</source>
        <translation>%1 parece el pooler de transacciones de Supabase (puerto 6543): LISTEN/NOTIFY y las sentencias preparadas no funcionan a través de él; use el pooler de sesión (puerto 5432) o el host directo</translation>
    </message>
    <message>
        <source>Lost the database connection: %1</source>
        <translation>Se perdió la conexión con la base de datos: %1</translation>
    </message>
    <message>
        <source>database connection lost</source>
        <translation>conexión con la base de datos perdida</translation>
    </message>
    <message>
        <source>another call to this number is in flight, or the call changed meanwhile</source>
        <translation>otra llamada a este número está en curso, o la llamada cambió mientras tanto</translation>
    </message>
    <message>
        <source>Call %1 is in state %2 with no next_action_at: it never comes due; skipped</source>
        <translation>La llamada %1 está en el estado %2 sin next_action_at: nunca vence; omitida</translation>
    </message>
    <message>
        <source>Call %1 is in unknown state &quot;%2&quot;: skipped</source>
        <translation>La llamada %1 está en el estado desconocido «%2»: omitida</translation>
    </message>
    <message>
        <source>The call trigger refused the request (%1): check SUPABASE_URL (the project URL, https://&lt;ref&gt;.supabase.co) and SUPABASE_SERVICE_ROLE_KEY. No calls are placed for %2 s; the calls go back to where they were without spending an attempt.</source>
        <translation>El disparador de llamadas rechazó la solicitud (%1): revise SUPABASE_URL (la URL del proyecto, https://&lt;ref&gt;.supabase.co) y SUPABASE_SERVICE_ROLE_KEY. No se realizan llamadas durante %2 s; las llamadas vuelven a donde estaban sin gastar un intento.</translation>
    </message>
    <message numerus="yes">
        <source>The database refused the login: fix the database settings. Trying again in %n minute(s), not sooner: failed logins again and again get this machine blocked.</source>
        <translation>
            <numerusform>La base de datos rechazó el inicio de sesión: corrija la configuración de la base de datos. Se volverá a intentar dentro de %n minuto, no antes: los inicios de sesión fallidos una y otra vez hacen que se bloquee esta máquina.</numerusform>
            <numerusform>La base de datos rechazó el inicio de sesión: corrija la configuración de la base de datos. Se volverá a intentar dentro de %n minutos, no antes: los inicios de sesión fallidos una y otra vez hacen que se bloquee esta máquina.</numerusform>
        </translation>
    </message>
    <message>
        <source>The call trigger&apos;s TLS certificate is not trusted on this machine (%1): install the CA certificates (Debian: ca-certificates) or look for a proxy that intercepts TLS. No calls are placed for %2 s; the calls go back to where they were without spending an attempt.</source>
        <translation>El certificado TLS del disparador de llamadas no es de confianza en esta máquina (%1): instale los certificados de las CA (Debian: ca-certificates) o busque un proxy que intercepte TLS. No se realizan llamadas durante %2 s; las llamadas vuelven a donde estaban sin gastar un intento.</translation>
    </message>
    <message>
        <source>The guide&apos;s scheduler is still active on this database: pg_cron job %1, posting to the scheduler Edge Function, which dials calls without CallOps&apos; claims, so a clinic could be called twice. No calls are placed while it is active; the calls stay as they are. Remove it as %2 (or a superuser): %3 (or switch it off: %4). CallOps looks again every %5 s and goes on by itself.</source>
        <translation>El planificador de la guía sigue activo en esta base de datos: el trabajo de pg_cron %1, que llama a la Edge Function scheduler, la cual marca llamadas sin las reservas de CallOps, de modo que una clínica podría recibir dos llamadas. No se realizan llamadas mientras esté activo; las llamadas se quedan como están. Elimínelo como %2 (o como superusuario): %3 (o desactívelo: %4). CallOps vuelve a comprobarlo cada %5 s y sigue por sí solo.</translation>
    </message>
    <message>
        <source>The call trigger refuses its requests; trying again later</source>
        <translation>El disparador de llamadas rechaza sus peticiones; se volverá a intentar más tarde</translation>
    </message>
</context>
<context>
    <name>callops::SchedulerPanel</name>
    <message>
        <source>Run one pass now</source>
        <translation>Ejecutar una pasada ahora</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>No pass yet.</source>
        <translation>Aún no hay pasadas.</translation>
    </message>
    <message>
        <source>Last pass</source>
        <translation>Última pasada</translation>
    </message>
    <message>
        <source>Off by default: a console only calls when started here. Servers run callops --no-gui.</source>
        <translation>Desactivado por defecto: una consola solo llama si se inicia aquí. Los servidores ejecutan callops --no-gui.</translation>
    </message>
    <message>
        <source>Scheduler: not running in this console</source>
        <translation>Planificador: no se ejecuta en esta consola</translation>
    </message>
    <message>
        <source>Cannot start the scheduler: %1</source>
        <translation>No se puede iniciar el planificador: %1</translation>
    </message>
    <message>
        <source>Scheduler: running</source>
        <translation>Planificador: en marcha</translation>
    </message>
    <message>
        <source>Scheduler started.</source>
        <translation>Planificador iniciado.</translation>
    </message>
    <message>
        <source>Scheduler: paused</source>
        <translation>Planificador: en pausa</translation>
    </message>
    <message>
        <source>Paused.</source>
        <translation>En pausa.</translation>
    </message>
    <message>
        <source>Resumed.</source>
        <translation>Reanudado.</translation>
    </message>
    <message>
        <source>Connected: %1</source>
        <translation>Conectado: %1</translation>
    </message>
    <message>
        <source>Disconnected: %1</source>
        <translation>Desconectado: %1</translation>
    </message>
    <message>
        <source>Scheduler stopped.</source>
        <translation>Planificador detenido.</translation>
    </message>
    <message>
        <source>Scheduler: starting</source>
        <translation>Planificador: iniciando</translation>
    </message>
    <message>
        <source>Scheduler: stopping</source>
        <translation>Planificador: deteniendo</translation>
    </message>
    <message>
        <source>Stopping: calls in progress are allowed to finish.</source>
        <translation>Deteniendo: se deja terminar a las llamadas en curso.</translation>
    </message>
    <message>
        <source>Error: %1</source>
        <translation>Error: %1</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Detener</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Iniciar</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Reanudar</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pausar</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Start the scheduler</source>
        <translation>Iniciar el planificador</translation>
    </message>
    <message>
        <source>Start placing calls from this console?</source>
        <translation>¿Empezar a realizar llamadas desde esta consola?</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>at most %1 calls per second</source>
        <translation>como máximo %1 llamadas por segundo</translation>
    </message>
    <message>
        <source>with no limit on calls per second</source>
        <translation>sin límite de llamadas por segundo</translation>
    </message>
    <message>
        <source>Due calls are dialled through %1, %2, until you stop the scheduler or close the console. Servers running the scheduler go on as before; a call is never dialled twice.</source>
        <translation>Las llamadas pendientes se marcan a través de %1, %2, hasta que detenga el planificador o cierre la consola. Los servidores que ejecutan el planificador siguen igual; una llamada nunca se marca dos veces.</translation>
    </message>
    <message>
        <source>Scheduler log</source>
        <translation>Registro del planificador</translation>
    </message>
    <message>
        <source>call %1</source>
        <translation>llamada %1</translation>
    </message>
    <message>
        <source>Double-click or press Enter to show this call (%1).</source>
        <translation>Doble clic o Intro para mostrar esta llamada (%1).</translation>
    </message>
    <message>
        <source>processed %1, calls started %2, rescued %3 (%4 ms)</source>
        <translation>procesadas %1, llamadas iniciadas %2, rescatadas %3 (%4 ms)</translation>
    </message>
    <message>
        <source>&amp;Batch size</source>
        <translation>&amp;Tamaño del lote</translation>
    </message>
    <message>
        <source>&amp;Interval</source>
        <translation>&amp;Intervalo</translation>
    </message>
    <message>
        <source>The guide&apos;s scheduler is no longer active: placing calls again.</source>
        <translation>El planificador de la guía ya no está activo: se vuelven a realizar llamadas.</translation>
    </message>
    <message>
        <source>Scheduler: not calling while the guide&apos;s scheduler (pg_cron) is active</source>
        <translation>Planificador: sin llamar mientras el planificador de la guía (pg_cron) esté activo</translation>
    </message>
    <message>
        <source>The call trigger accepts calls again: placing calls.</source>
        <translation>El disparador de llamadas vuelve a aceptar llamadas: se realizan llamadas.</translation>
    </message>
    <message>
        <source>Scheduler: not calling, the call trigger refuses the requests (see the log)</source>
        <translation>Planificador: sin llamar, el disparador de llamadas rechaza las solicitudes (vea el registro)</translation>
    </message>
    <message>
        <source>Scheduler: waiting for the database (see the log)</source>
        <translation>Planificador: esperando a la base de datos (vea el registro)</translation>
    </message>
    <message>
        <source>Due calls are dialled through %1, %2, until you stop the scheduler or close the console. Also running on this database: %3. They go on as before and share the due calls with this one; a call is never dialled twice.</source>
        <translation>Las llamadas pendientes se marcan a través de %1, %2, hasta que detenga el planificador o cierre la consola. También en marcha en esta base de datos: %3. Siguen igual y se reparten con este las llamadas pendientes; una llamada nunca se marca dos veces.</translation>
    </message>
</context>
<context>
    <name>callops::StateListView</name>
    <message>
        <source>All calls</source>
        <translation>Todas las llamadas</translation>
    </message>
    <message>
        <source>Stuck</source>
        <translation>Atascadas</translation>
    </message>
    <message>
        <source>Needs action</source>
        <translation>Requieren acción</translation>
    </message>
    <message>
        <source>In flight</source>
        <translation>En curso</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Terminadas</translation>
    </message>
</context>
<context>
    <name>callops::StuckBanner</name>
    <message>
        <source>Show</source>
        <translation>Ver</translation>
    </message>
    <message>
        <source>Reset all…</source>
        <translation>Restablecer todas…</translation>
    </message>
    <message numerus="yes">
        <source>%n call(s) stuck: in their state longer than its threshold.</source>
        <translation>
            <numerusform>%n llamada atascada: lleva en su estado más tiempo que su umbral.</numerusform>
            <numerusform>%n llamadas atascadas: llevan en su estado más tiempo que su umbral.</numerusform>
        </translation>
    </message>
    <message>
        <source>Stuck calls</source>
        <translation>Llamadas atascadas</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>Aviso</translation>
    </message>
    <message>
        <source>Show only the stuck calls in the table</source>
        <translation>Mostrar en la tabla solo las llamadas atascadas</translation>
    </message>
    <message>
        <source>Reset every stuck call (asks first)</source>
        <translation>Restablecer todas las llamadas atascadas (pregunta antes)</translation>
    </message>
</context>
<context>
    <name>callops::StuckRulesDialog</name>
    <message>
        <source>Stuck thresholds</source>
        <translation>Umbrales de atasco</translation>
    </message>
    <message>
        <source>A call counts as stuck when it has stayed longer than this: calls being placed since their call started, other calls since they were due and last changed. The banner, the Stuck filter and Reset stuck follow these values.</source>
        <translation>Una llamada cuenta como atascada cuando lleva en su estado más tiempo que este: las llamadas en curso desde que empezó su llamada, las demás desde que vencieron y cambiaron por última vez. El aviso, el filtro Atascadas y Restablecer atascada siguen estos valores.</translation>
    </message>
    <message>
        <source> min</source>
        <translation> min</translation>
    </message>
    <message>
        <source>&amp;New</source>
        <translation>&amp;Nueva</translation>
    </message>
    <message>
        <source>Chec&amp;king classification</source>
        <translation>Com&amp;probando clasificación</translation>
    </message>
    <message>
        <source>Nee&amp;ds classification</source>
        <translation>N&amp;ecesita clasificación</translation>
    </message>
    <message>
        <source>Classi&amp;fying</source>
        <translation>C&amp;lasificando</translation>
    </message>
    <message>
        <source>Classification &amp;pending (IVR wait)</source>
        <translation>Clasificación pendiente (espera de &amp;IVR)</translation>
    </message>
    <message>
        <source>Ready &amp;to call</source>
        <translation>Li&amp;sta para llamar</translation>
    </message>
    <message>
        <source>Ca&amp;lling</source>
        <translation>Llaman&amp;do</translation>
    </message>
    <message>
        <source>Retr&amp;y pending</source>
        <translation>Reinten&amp;to pendiente</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>No display to open the console on: run with --no-gui for the headless scheduler, or set DISPLAY.</source>
        <translation>No hay pantalla donde abrir la consola: ejecute con --no-gui para el planificador sin interfaz, o defina DISPLAY.</translation>
    </message>
    <message>
        <source>This mode is not available in this build yet.</source>
        <translation>Este modo aún no está disponible en esta compilación.</translation>
    </message>
    <message>
        <source>CallOps</source>
        <translation>CallOps</translation>
    </message>
    <message>
        <source>No translation for the language &quot;%1&quot;: English is used (translations: %2).</source>
        <translation>No hay traducción para el idioma «%1»: se usa el inglés (traducciones: %2).</translation>
    </message>
</context>
</TS>
