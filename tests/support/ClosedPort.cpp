#include "ClosedPort.h"

#include <QTcpServer>

namespace callops::test {

quint16 closedPort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

} // namespace callops::test
