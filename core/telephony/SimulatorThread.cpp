#include "SimulatorThread.h"

namespace callops {

SimulatorThread::SimulatorThread(TelephonySimulator::Config config)
    : m_simulator(new TelephonySimulator(std::move(config)))
{
    m_thread.setObjectName(QStringLiteral("telephony-simulator"));
    m_simulator->moveToThread(&m_thread);
    QObject::connect(&m_thread, &QThread::finished, m_simulator, &QObject::deleteLater);
}

SimulatorThread::~SimulatorThread()
{
    if (m_thread.isRunning()) {
        QMetaObject::invokeMethod(m_simulator, &TelephonySimulator::stop, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    } else {
        delete m_simulator; // never started: still owned here, on no running thread
    }
}

Status SimulatorThread::start()
{
    if (!m_thread.isRunning())
        m_thread.start();
    Status status;
    TelephonySimulator *simulator = m_simulator;
    QMetaObject::invokeMethod(
            m_simulator, [simulator, &status] { status = simulator->start(); }, Qt::BlockingQueuedConnection);
    return status;
}

} // namespace callops
