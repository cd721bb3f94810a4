// Runs json-server 0.17 on a database file, as its CLI does
// (`json-server --port 4200 db.json`), with the address and Node's
// keep-alive timeout as arguments so that tests can use a free port and a
// short keep-alive:
//
//   node serve.js [db.json] [port, 0 for a free one] [keep-alive ms]
//
// It prints "json-server http://127.0.0.1:PORT" once it listens.
const jsonServer = require('json-server')

const [file = 'db.json', port = '4200', keepAlive] = process.argv.slice(2)
const app = jsonServer.create()
app.use(jsonServer.defaults({ logger: false, bodyParser: true }))
app.use(jsonServer.router(file))
const server = app.listen(Number(port), '127.0.0.1', () => {
  console.log(`json-server http://127.0.0.1:${server.address().port}`)
})
if (keepAlive) {
  server.keepAliveTimeout = Number(keepAlive)
}
